--[[
  Create or change a season, refusing one that clashes with another season (times overlap and their
  categories can meet: a season with no categories covers every category); audited.

  KEYS[1] seasons index zset      (prefix:seasons: id -> startsAt)
  KEYS[2] season windows hash     (prefix:seasons:windows: id -> {"s":startsAt,"e":endsAt,"c":[categories]})
  KEYS[3] the season's hash       (prefix:season:{id})
  KEYS[4] audit stream

  ARGV[1] season id        ARGV[2] window JSON {"s","e","c"}   ARGV[3] season fields JSON (flat object)
  ARGV[4] actor            ARGV[5] action (season.create | season.update)
  ARGV[6] before JSON ('' on create)   ARGV[7] after JSON   ARGV[8] now (ms)

  Output: 1 saved; or (nothing written) { -7, clashingSeasonId } when it clashes with another season;
  on an update, { -3 } when the season is gone, { -10, 'ended' } when it has ended (its board is frozen),
  { -10, 'running' } when it has started and the write changes its start or categories, { -10, 'cap' } when it
  has started and the write gives it a cap per post or per day it did not have (it tracks the usage of the caps
  it has only) (whatever the caller read before: the season may have started since).
]]
--- @include "addAudit"
--- @include "setFields"
local id, windowJson = ARGV[1], ARGV[2]
local mine = cjson.decode(windowJson)

if ARGV[6] ~= '' then
  local storedJson = redis.call('HGET', KEYS[2], id)
  if not storedJson then return { -3 } end
  local stored, now = cjson.decode(storedJson), tonumber(ARGV[8])
  if stored.e <= now then return { -10, 'ended' } end
  if stored.s <= now and (mine.s ~= stored.s or cjson.encode(mine.c) ~= cjson.encode(stored.c)) then
    return { -10, 'running' }
  end
  if stored.s <= now then
    local f, caps = cjson.decode(ARGV[3]), redis.call('HMGET', KEYS[3], 'capPerPost', 'capPerDay')
    if (f.capPerPost ~= '' and (caps[1] or '') == '') or (f.capPerDay ~= '' and (caps[2] or '') == '') then
      return { -10, 'cap' }
    end
  end
end

local function meets(a, b)
  if #a == 0 or #b == 0 then return true end
  for _, x in ipairs(a) do
    for _, y in ipairs(b) do
      if x == y then return true end
    end
  end
  return false
end

local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  if all[i] ~= id then
    local other = cjson.decode(all[i + 1])
    if mine.s < other.e and other.s < mine.e and meets(mine.c, other.c) then
      return { -7, all[i] }
    end
  end
end

setFields(KEYS[3], ARGV[3])
redis.call('HSET', KEYS[2], id, windowJson)
redis.call('ZADD', KEYS[1], mine.s, id)
addAudit(KEYS[4], ARGV[4], ARGV[5], 'season:' .. id, ARGV[6], ARGV[7], ARGV[8])
return 1
