-- The season points of one award, on the first of the given seasons that is running at `now` and covers
-- the post's category: base points times the season's multiplier (a whole percent, floored), clipped so
-- the member's season points from this post and on this UTC day stay within the season's caps. Read from
-- the season's hash at award time, so an edited multiplier applies from the edit on, and an ended season's
-- board is never written again (frozen). Returns seasonId, seasonPoints, multiplierPct (or nil).
-- seasons: list of { hash = key, board = key, usage = key, id = id }.
-- Within one script call a season's hash is read once and the usage fields the call may need are read
-- together first (prepareSeasons); what the call adds to them and to the season board is summed and
-- written by flushSeasonPoints before the call returns.

-- Read each season's settings, and the usage of the posts and members this call awards (one HMGET each).
local function prepareSeasons(seasons, postFields, dayFields)
  for _, s in ipairs(seasons) do
    s.f = redis.call('HMGET', s.hash, 'startsAt', 'endsAt', 'multiplierPct', 'capPerPost', 'capPerDay', 'categories')
    s.cats = cjson.decode(s.f[6] or '[]')
    s.base, s.delta, s.deltaOrder, s.boardAdd, s.boardOrder = {}, {}, {}, {}, {}
    -- capPerPost (field 4) needs the posts' usage, capPerDay (field 5) the members' usage today
    for _, need in ipairs({ { 4, postFields }, { 5, dayFields } }) do
      local cap, fields = s.f[need[1]], need[2]
      if s.f[1] and cap and cap ~= '' and #fields > 0 then
        local values = redis.call('HMGET', s.usage, unpack(fields))
        for i, field in ipairs(fields) do s.base[field] = tonumber(values[i] or '0') end
      end
    end
  end
end

local function seasonUsage(s, field)
  if s.base[field] == nil then s.base[field] = tonumber(redis.call('HGET', s.usage, field) or '0') end
  return s.base[field] + (s.delta[field] or 0)
end

local function seasonAdd(sums, order, key, n)
  if not sums[key] then
    sums[key] = 0
    order[#order + 1] = key
  end
  sums[key] = sums[key] + n
end

local function addSeasonPoints(seasons, now, category, tweetId, discordId, day, points)
  for _, s in ipairs(seasons) do
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
          sp = math.min(sp, tonumber(f[4]) - seasonUsage(s, postField))
        end
        if f[5] and f[5] ~= '' then
          sp = math.min(sp, tonumber(f[5]) - seasonUsage(s, dayField))
        end
        if sp < 0 then sp = 0 end
        if sp > 0 then
          seasonAdd(s.delta, s.deltaOrder, postField, sp)
          seasonAdd(s.delta, s.deltaOrder, dayField, sp)
          seasonAdd(s.boardAdd, s.boardOrder, discordId, sp)
        end
        return s.id, sp, pct
      end
    end
  end
  return nil
end

-- Write what addSeasonPoints summed during the call: usage fields (those read: their new value, in one
-- HSET; any other: HINCRBY) and season boards.
local function flushSeasonPoints(seasons)
  for _, s in ipairs(seasons) do
    local set = {}
    for _, field in ipairs(s.deltaOrder) do
      if s.base[field] ~= nil then
        set[#set + 1] = field
        set[#set + 1] = s.base[field] + s.delta[field]
      else
        redis.call('HINCRBY', s.usage, field, s.delta[field])
      end
    end
    if #set > 0 then redis.call('HSET', s.usage, unpack(set)) end
    for _, id in ipairs(s.boardOrder) do redis.call('ZINCRBY', s.board, s.boardAdd[id], id) end
  end
end
