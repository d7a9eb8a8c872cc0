--[[
  Extend a lease only while it still holds the given value (a holder that lost it must not revive
  a lease someone else took meanwhile).

  KEYS[1] the lease (string)
  ARGV[1] the value that means "ours"
  ARGV[2] new time to live, ms

  Output: 1 extended, 0 held by someone else or gone.
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
