--[[
  Take the batch lock over from a holder whose heartbeat stopped, before the lock expires by itself.
  The holder is fenced out: the fence counter moves on, so its awards and renewals are refused.
  A holder still marked running is marked failed with the reason, in the same step.

  KEYS[1] lock (value "runId|fence")   KEYS[2] fence counter   KEYS[3] the holder's run record (hash)
  ARGV[1] lock value read by the caller (the holder to replace)
  ARGV[2] new run id   ARGV[3] ttl (ms)   ARGV[4] now (epoch ms)
  ARGV[5] how long a running holder may stay silent (ms)   ARGV[6] error to record on the holder

  Output: { new fence token, 1 if the holder's record was marked failed here else 0 };
          -4 when the lock changed meanwhile or the holder is alive.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -4 end
local now = tonumber(ARGV[4])
local status = redis.call('HGET', KEYS[3], 'status')
local marked = 0
if status == 'running' then
  local beat = tonumber(redis.call('HGET', KEYS[3], 'heartbeatAt') or '0') or 0
  if now - beat <= tonumber(ARGV[5]) then return -4 end
  redis.call('HSET', KEYS[3], 'status', 'failed', 'endedAt', now, 'error', ARGV[6])
  marked = 1
elseif not status then
  -- No record to tell whether the holder lives: wait for the lock to expire.
  return -4
end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[2] .. '|' .. fence, 'PX', ARGV[3])
return { fence, marked }
