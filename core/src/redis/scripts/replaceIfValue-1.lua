--[[
  Hand a lock or guard over to a new holder, keeping its expiry, only while the old holder has it.

  KEYS[1] the lock or guard (string)
  ARGV[1] expected current value   ARGV[2] new value

  Output: 1 replaced, 0 held by someone else or gone.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
