--[[
  Set a member's tier; audited. Future awards use the new tier; past awards keep theirs.

  KEYS[1] member hash   KEYS[2] audit stream
  ARGV[1] tier (1-3)    ARGV[2] actor   ARGV[3] now (ms)   ARGV[4] discord id

  Output: the previous tier, or -3 when the member does not exist. Setting the tier the member
  already has writes nothing and is not audited.
]]
--- @include "addAudit"
local before = redis.call('HGET', KEYS[1], 'tier')
if not before then return -3 end
if tonumber(before) == tonumber(ARGV[1]) then return tonumber(before) end
redis.call('HSET', KEYS[1], 'tier', ARGV[1], 'updatedAt', ARGV[3])
addAudit(KEYS[2], ARGV[2], 'member.set_tier', 'member:' .. ARGV[4],
  cjson.encode({ tier = tonumber(before) }), cjson.encode({ tier = tonumber(ARGV[1]) }), ARGV[3])
return tonumber(before)
