--[[
  Record that the bot granted (or removed) a rule's role for a member, with its audit entry, atomically.
  Only a real change is written and audited: granting twice, or removing from a member the bot never
  granted, changes nothing.

  KEYS[1] the rule's hash   KEYS[2] the rule's holders set   KEYS[3] the rule's status hash   KEYS[4] audit stream

  ARGV[1] 'grant' | 'remove'   ARGV[2] rule id   ARGV[3] Discord id   ARGV[4] actor   ARGV[5] reason
  ARGV[6] now (ms)   ARGV[7] now (ISO 8601)

  Output: 1 changed, 0 nothing to change, { -3 } when the rule is gone (nothing written).
]]
--- @include "addAudit"
local op, ruleId, discordId = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', KEYS[1]) == 0 then return { -3 } end
local changed
if op == 'grant' then
  changed = redis.call('SADD', KEYS[2], discordId)
else
  changed = redis.call('SREM', KEYS[2], discordId)
end
if changed == 0 then return 0 end
redis.call('HSET', KEYS[3], 'lastChangeAt', ARGV[7])
local roleId = redis.call('HGET', KEYS[1], 'roleId')
local entry = cjson.encode({ ruleId = ruleId, roleId = roleId, discordId = discordId, reason = ARGV[5] })
local before, after = '', entry
if op ~= 'grant' then before, after = entry, '' end
addAudit(KEYS[4], ARGV[4], 'role-reward.' .. op, 'member:' .. discordId, before, after, ARGV[6])
return 1
