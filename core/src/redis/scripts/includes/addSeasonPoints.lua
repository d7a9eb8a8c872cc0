-- The season points of one award, on the first of the given seasons that is running at `now` and covers
-- the post's category: base points times the season's multiplier (a whole percent, floored), clipped so
-- the member's season points from this post and on this UTC day stay within the season's caps. Read from
-- the season's hash at award time, so an edited multiplier applies from the edit on, and an ended season's
-- board is never written again (frozen). Returns the award log's season record '<id>:<points>:<pct>' (or nil).
-- seasons: list of { hash = key, board = key, usage = key, id = id }.
-- Within one script call a season's hash is read once (prepareSeasons); the usage of the caps it has (a
-- season without a cap per post / per day tracks no such usage) is read for the whole call first, in one
-- HMGET (readSeasonUsage); what the call adds to it and to the season board is summed and written by
-- flushSeasonPoints before the call returns.

-- Read each season's settings. Returns whether any season has a cap per post, and any a cap per day.
local function prepareSeasons(seasons)
  local anyPostCap, anyDayCap = false, false
  for _, s in ipairs(seasons) do
    local f = redis.call('HMGET', s.hash, 'startsAt', 'endsAt', 'multiplierPct', 'capPerPost', 'capPerDay', 'categories')
    s.startsAt, s.endsAt, s.pct = tonumber(f[1]), tonumber(f[2]), tonumber(f[3]) or 100
    s.capPost = f[4] and f[4] ~= '' and tonumber(f[4]) or nil
    s.capDay = f[5] and f[5] ~= '' and tonumber(f[5]) or nil
    s.cats, s.covers = cjson.decode(f[6] or '[]'), {}
    s.base, s.delta, s.deltaOrder, s.boardAdd, s.boardOrder, s.records = {}, {}, {}, {}, {}, {}
    if s.startsAt then
      anyPostCap = anyPostCap or s.capPost ~= nil
      anyDayCap = anyDayCap or s.capDay ~= nil
    end
  end
  return anyPostCap, anyDayCap
end

-- Read the usage of the posts and members this call awards, for the caps each season has (one HMGET).
local function readSeasonUsage(seasons, postFields, dayFields)
  for _, s in ipairs(seasons) do
    if s.startsAt and (s.capPost or s.capDay) then
      local fields = s.capPost and postFields or {}
      if s.capDay then
        if s.capPost then
          fields = {}
          for i, f in ipairs(postFields) do fields[i] = f end
        end
        for _, f in ipairs(dayFields) do fields[#fields + 1] = f end
      end
      if #fields > 0 then
        local values = redis.call('HMGET', s.usage, unpack(fields))
        for i, field in ipairs(fields) do s.base[field] = tonumber(values[i] or '0') end
      end
    end
  end
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

-- postField / dayField: the usage fields of this post and member ('p:<tweetId>:<discordId>') and of this
-- member today ('d:<day>:<discordId>'); nil when no season has that cap.
local function addSeasonPoints(seasons, now, category, postField, dayField, discordId, points)
  for _, s in ipairs(seasons) do
    if s.startsAt and s.startsAt <= now and now < s.endsAt and seasonCovers(s, category) then
      local sp = math.floor(points * s.pct / 100)
      if s.capPost then sp = math.min(sp, s.capPost - s.base[postField] - (s.delta[postField] or 0)) end
      if s.capDay then sp = math.min(sp, s.capDay - s.base[dayField] - (s.delta[dayField] or 0)) end
      if sp < 0 then sp = 0 end
      if sp > 0 then
        if s.capPost then seasonAdd(s.delta, s.deltaOrder, postField, sp) end
        if s.capDay then seasonAdd(s.delta, s.deltaOrder, dayField, sp) end
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
local function flushSeasonPoints(seasons, graceMs)
  for _, s in ipairs(seasons) do
    if #s.deltaOrder > 0 then
      local set = {}
      for _, field in ipairs(s.deltaOrder) do
        set[#set + 1] = field
        set[#set + 1] = s.base[field] + s.delta[field]
      end
      redis.call('HSET', s.usage, unpack(set))
      redis.call('PEXPIREAT', s.usage, s.endsAt + graceMs)
    end
    for _, id in ipairs(s.boardOrder) do redis.call('ZINCRBY', s.board, s.boardAdd[id], id) end
  end
end
