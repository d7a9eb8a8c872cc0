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
    local f = redis.call('HMGET', s.hash, 'startsAt', 'endsAt', 'multiplierPct', 'capPerPost', 'capPerDay', 'categories')
    s.startsAt, s.endsAt, s.pct = tonumber(f[1]), tonumber(f[2]), tonumber(f[3]) or 100
    s.capPost = f[4] and f[4] ~= '' and tonumber(f[4]) or nil
    s.capDay = f[5] and f[5] ~= '' and tonumber(f[5]) or nil
    s.cats, s.covers = cjson.decode(f[6] or '[]'), {}
    s.base, s.delta, s.deltaOrder, s.boardAdd, s.boardOrder = {}, {}, {}, {}, {}
    if s.startsAt then
      for _, need in ipairs({ { s.capPost, postFields }, { s.capDay, dayFields } }) do
        local fields = need[2]
        if need[1] and #fields > 0 then
          local values = redis.call('HMGET', s.usage, unpack(fields))
          for i, field in ipairs(fields) do s.base[field] = tonumber(values[i] or '0') end
        end
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
-- member today ('d:<day>:<discordId>').
local function addSeasonPoints(seasons, now, category, postField, dayField, discordId, points)
  for _, s in ipairs(seasons) do
    if s.startsAt and s.startsAt <= now and now < s.endsAt and seasonCovers(s, category) then
      local sp = math.floor(points * s.pct / 100)
      if s.capPost then sp = math.min(sp, s.capPost - seasonUsage(s, postField)) end
      if s.capDay then sp = math.min(sp, s.capDay - seasonUsage(s, dayField)) end
      if sp < 0 then sp = 0 end
      if sp > 0 then
        seasonAdd(s.delta, s.deltaOrder, postField, sp)
        seasonAdd(s.delta, s.deltaOrder, dayField, sp)
        seasonAdd(s.boardAdd, s.boardOrder, discordId, sp)
      end
      return s.id, sp, s.pct
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
