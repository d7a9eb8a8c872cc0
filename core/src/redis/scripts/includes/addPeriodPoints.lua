-- Add (or with a negative value, take back) points for a member on period boards (week, day, month),
-- each expiring `ttl[key]` seconds from now (boards of old periods are browsable for a while, then gone).
-- Without a ttl (a revoke of an older award), only a board that still exists is changed: an expired
-- board is not brought back without an expiry.
local function addPeriodPoints(boards, ttl, discordId, points)
  for _, key in ipairs(boards) do
    local t = ttl[key]
    if t or redis.call('EXISTS', key) == 1 then
      redis.call('ZINCRBY', key, points, discordId)
      -- once per script call: the expiry is the same for every award of the call (0 = already set)
      if t and t > 0 then
        redis.call('EXPIRE', key, t)
        ttl[key] = 0
      end
    end
  end
end

-- Register a week in the weeks index and drop the weeks before `oldestKept`, whose boards have expired,
-- so the index lists only weeks that still have a board (and stays bounded).
local function indexWeek(weeksKey, week, oldestKept)
  redis.call('ZADD', weeksKey, 0, week)
  if oldestKept and oldestKept ~= '' then
    redis.call('ZREMRANGEBYLEX', weeksKey, '-', '(' .. oldestKept)
  end
end
