--[[
  Extend (ARGV[3] = ttl ms) or release (ARGV[3] = 0) the batch lock, only if still held by this run.
  KEYS[1] lock   ARGV[1] run id   ARGV[2] fence   ARGV[3] ttl ms or 0
  Output: 1 done, 0 not held.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] .. '|' .. ARGV[2] then return 0 end
if tonumber(ARGV[3]) == 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
