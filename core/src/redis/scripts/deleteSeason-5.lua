--[[
  Delete a season that has not started, with its audit entry, in one step. A season whose start has come
  (by the caller's clock) or whose board already holds points (an award made by a process whose clock is
  ahead) stays: its board counts.

  KEYS[1] seasons index zset      (prefix:seasons)
  KEYS[2] season windows hash     (prefix:seasons:windows)
  KEYS[3] the season's hash       (prefix:season:{id})
  KEYS[4] the season's board      (prefix:leaderboard:season:{id})
  KEYS[5] audit stream

  ARGV[1] season id   ARGV[2] actor   ARGV[3] before JSON   ARGV[4] now (ms)

  Output: 1 deleted; -3 no such season; -10 it has started (nothing written).
]]
--- @include "addAudit"
local id, now = ARGV[1], tonumber(ARGV[4])
if redis.call('EXISTS', KEYS[3]) == 0 then return -3 end
local startsAt = tonumber(redis.call('HGET', KEYS[3], 'startsAt'))
if (startsAt and startsAt <= now) or redis.call('EXISTS', KEYS[4]) == 1 then return -10 end
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[1], id)
redis.call('HDEL', KEYS[2], id)
addAudit(KEYS[5], ARGV[2], 'season.delete', 'season:' .. id, ARGV[3], '', ARGV[4])
return 1
