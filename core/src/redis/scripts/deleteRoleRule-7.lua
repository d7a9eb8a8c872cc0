--[[
  Delete a role reward rule with its managed holders, status and the bot's pending grant notes; audited.
  Members keep the role: the bot stops managing it (it never removes a role no rule manages).

  KEYS[1] rule index zset   KEYS[2] rule roles hash   KEYS[3] the rule's hash
  KEYS[4] the rule's holders set   KEYS[5] the rule's status hash   KEYS[6] audit stream
  KEYS[7] the rule's pending grants zset

  ARGV[1] rule id   ARGV[2] actor   ARGV[3] before JSON   ARGV[4] now (ms)

  Output: the number of members the bot held the role for under the rule; { -3 } when the rule is gone.
]]
--- @include "addAudit"
if redis.call('EXISTS', KEYS[3]) == 0 then return { -3 } end
local holders = redis.call('SCARD', KEYS[4])
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5], KEYS[7])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
addAudit(KEYS[6], ARGV[2], 'role-reward.delete', 'role-reward:' .. ARGV[1], ARGV[3], cjson.encode({ holdersLeft = holders }), ARGV[4])
return holders
