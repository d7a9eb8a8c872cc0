-- The season points of one award, on the first of the given seasons that is running at `now` and covers
-- the post's category: base points times the season's multiplier (a whole percent, floored), clipped so
-- the member's season points from this post and on this UTC day stay within the season's caps. Read from
-- the season's hash at award time, so an edited multiplier applies from the edit on, and an ended season's
-- board is never written again (frozen). Returns seasonId, seasonPoints, multiplierPct (or nil).
-- seasons: list of { hash = key, board = key, usage = key, id = id }.
-- A season's hash is read once per script call (it cannot change during it).
local function addSeasonPoints(seasons, now, category, tweetId, discordId, day, points)
  for _, s in ipairs(seasons) do
    if not s.f then
      s.f = redis.call('HMGET', s.hash, 'startsAt', 'endsAt', 'multiplierPct', 'capPerPost', 'capPerDay', 'categories')
      s.cats = cjson.decode(s.f[6] or '[]')
    end
    local f = s.f
    if f[1] and tonumber(f[1]) <= now and now < tonumber(f[2]) then
      local cats = s.cats
      local covers = #cats == 0
      for _, c in ipairs(cats) do
        if c == category then covers = true end
      end
      if covers then
        local pct = tonumber(f[3]) or 100
        local sp = math.floor(points * pct / 100)
        local postField, dayField = 'p:' .. tweetId .. ':' .. discordId, 'd:' .. day .. ':' .. discordId
        if f[4] and f[4] ~= '' then
          sp = math.min(sp, tonumber(f[4]) - tonumber(redis.call('HGET', s.usage, postField) or '0'))
        end
        if f[5] and f[5] ~= '' then
          sp = math.min(sp, tonumber(f[5]) - tonumber(redis.call('HGET', s.usage, dayField) or '0'))
        end
        if sp < 0 then sp = 0 end
        if sp > 0 then
          redis.call('HINCRBY', s.usage, postField, sp)
          redis.call('HINCRBY', s.usage, dayField, sp)
          redis.call('ZINCRBY', s.board, sp, discordId)
        end
        return s.id, sp, pct
      end
    end
  end
  return nil
end
