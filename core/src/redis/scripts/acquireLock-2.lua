--[[
  Take the batch lock with an expiry and a new fencing token.

  KEYS[1] lock (value "runId|fence")   KEYS[2] fence counter
  ARGV[1] run id   ARGV[2] ttl (ms)

  Output: the fence token, or -4 when another run holds the lock.
]]
if redis.call('EXISTS', KEYS[1]) == 1 then return -4 end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. fence, 'PX', ARGV[2])
return fence
