--[[
  Release a lock or guard only while it still holds one of the given values (a late release must
  not delete a lock someone else took meanwhile).

  KEYS[1] the lock or guard (string)
  ARGV[1..] values that mean "ours"

  Output: 1 deleted, 0 held by someone else or gone.
]]
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
for i = 1, #ARGV do
  if current == ARGV[i] then return redis.call('DEL', KEYS[1]) end
end
return 0
