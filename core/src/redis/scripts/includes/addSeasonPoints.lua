-- The season points of one award, on the first of the given seasons that is running at `now` and covers
-- the post's category: base points times the season's multiplier (a whole percent, floored), clipped so
-- the member's season points from this post and on this UTC day stay within the season's caps. Read from
-- the season's hash at award time, so an edited multiplier applies from the edit on, and an ended season's
-- board is never written again (frozen). Returns the award log's season record '<id>:<points>:<pct>' (or nil).
-- seasons: list of { hash = key, board = key, usage = key, id = id }.
-- Within one script call a season's hash is read once (prepareSeasons); the usage of the caps it has (a
-- season without a cap per post / per day tracks no such usage) is read for the whole call first, in one
-- HMGET of the call's usage fields (readSeasonUsage), and kept by the field's position in that list; what
-- the call adds to it and to the season board is summed and written by flushSeasonPoints before the call
-- returns.

-- Read each season's settings. Returns whether any season has a cap per post, and any a cap per day.
local function prepareSeasons(seasons)
  local anyPostCap, anyDayCap = false, false
  for _, s in ipairs(seasons) do
    local f = redis.call('HMGET', s.hash, 'startsAt', 'endsAt', 'multiplierPct', 'capPerPost', 'capPerDay', 'categories')
    s.startsAt, s.endsAt, s.pct = tonumber(f[1]), tonumber(f[2]), tonumber(f[3]) or 100
    s.capPost = f[4] and f[4] ~= '' and tonumber(f[4]) or nil
    s.capDay = f[5] and f[5] ~= '' and tonumber(f[5]) or nil
    s.cats, s.covers = cjson.decode(f[6] or '[]'), {}
    s.boardAdd, s.boardOrder, s.records = {}, {}, {}
    if s.startsAt then
      anyPostCap = anyPostCap or s.capPost ~= nil
      anyDayCap = anyDayCap or s.capDay ~= nil
    end
  end
  return anyPostCap, anyDayCap
end

-- Read the usage fields this call may touch (each (post, member) and each member today, as the seasons'
-- caps need them), for every season with a cap (one HMGET): s.used[i] is field i's value (false: none yet),
-- s.add[i] what the call adds to it.
local function readSeasonUsage(seasons, fields)
  for _, s in ipairs(seasons) do
    if s.startsAt and (s.capPost or s.capDay) and #fields > 0 then
      s.used, s.add = redis.call('HMGET', s.usage, unpack(fields)), {}
    end
  end
end

local function seasonUsed(s, i)
  return (tonumber(s.used[i]) or 0) + (s.add[i] or 0)
end

local function seasonAdd(sums, order, key, n)
  if not sums[key] then
    sums[key] = 0
    order[#order + 1] = key
  end
  sums[key] = sums[key] + n
end

-- Whether a season covers a post's category (no categories: all of them); remembered per category.
local function seasonCovers(s, category)
  local c = s.covers[category]
  if c == nil then
    c = #s.cats == 0
    for _, cat in ipairs(s.cats) do
      if cat == category then c = true end
    end
    s.covers[category] = c
  end
  return c
end

-- postUsage / dayUsage: the positions in the call's usage fields of this post and member
-- ('p:<tweetId>:<discordId>') and of this member today ('d:<day>:<discordId>'); nil when no season has that cap.
local function addSeasonPoints(seasons, now, category, postUsage, dayUsage, discordId, points)
  for _, s in ipairs(seasons) do
    if s.startsAt and s.startsAt <= now and now < s.endsAt and seasonCovers(s, category) then
      local sp = math.floor(points * s.pct / 100)
      if s.capPost then sp = math.min(sp, s.capPost - seasonUsed(s, postUsage)) end
      if s.capDay then sp = math.min(sp, s.capDay - seasonUsed(s, dayUsage)) end
      if sp < 0 then sp = 0 end
      if sp > 0 then
        if s.capPost then s.add[postUsage] = (s.add[postUsage] or 0) + sp end
        if s.capDay then s.add[dayUsage] = (s.add[dayUsage] or 0) + sp end
        seasonAdd(s.boardAdd, s.boardOrder, discordId, sp)
      end
      local record = s.records[sp] -- the same string for every award with these season points
      if not record then
        record = s.id .. ':' .. sp .. ':' .. s.pct
        s.records[sp] = record
      end
      return record
    end
  end
  return nil
end

-- Write what addSeasonPoints summed during the call: the usage fields' new values (in one HSET; the usage
-- hash expires `graceMs` after the season ends: nothing reads it then) and the season boards.
local function flushSeasonPoints(seasons, fields, graceMs)
  for _, s in ipairs(seasons) do
    if s.add then
      local set, m = {}, 0
      for i = 1, #fields do
        local a = s.add[i]
        if a then
          set[m + 1], set[m + 2] = fields[i], (tonumber(s.used[i]) or 0) + a
          m = m + 2
        end
      end
      if m > 0 then
        redis.call('HSET', s.usage, unpack(set))
        redis.call('PEXPIREAT', s.usage, s.endsAt + graceMs)
      end
    end
    for _, id in ipairs(s.boardOrder) do redis.call('ZINCRBY', s.board, s.boardAdd[id], id) end
  end
end
