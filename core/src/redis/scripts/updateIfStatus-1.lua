--[[
  Update a hash record only if its status is the expected one (e.g. finish a running batch run,
  reap a stale one) so that two writers never flip a finished record back.
  KEYS[1] record hash   ARGV[1] expected status ('' = any existing)   ARGV[2..] field, value pairs
  Output: 1 updated, 0 status differs, -3 no such record.
]]
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -3 end
if ARGV[1] ~= '' and status ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
