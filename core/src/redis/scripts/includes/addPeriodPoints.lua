-- Add (or with a negative value, take back) points on a member's day and month boards, which expire
-- `ttl[key]` seconds from now (boards of old periods are browsable for a while, then gone). Without a
-- ttl (a revoke of an older award), only a board that still exists is changed: an expired board is not
-- brought back without an expiry.
local function addPeriodPoints(dayBoardKey, monthBoardKey, ttl, discordId, points)
  for _, key in ipairs({ dayBoardKey, monthBoardKey }) do
    local t = ttl[key]
    if (t and t > 0) or redis.call('EXISTS', key) == 1 then
      redis.call('ZINCRBY', key, points, discordId)
      if t and t > 0 then redis.call('EXPIRE', key, t) end
    end
  end
end
