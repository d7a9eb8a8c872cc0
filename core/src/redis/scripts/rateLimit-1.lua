--[[
  Sliding-window rate limit: allow at most ARGV[2] hits in the last ARGV[3] ms.
  KEYS[1] zset of hits   ARGV[1] now (ms)   ARGV[2] limit   ARGV[3] window (ms)   ARGV[4] unique hit id
  Output: { allowed (1/0), hits in window after this call, ms until the oldest hit leaves the window }
]]
local now, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', KEYS[1], window)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local resetIn = 0
if oldest[2] then resetIn = tonumber(oldest[2]) + window - now end
return { allowed, count, resetIn }
