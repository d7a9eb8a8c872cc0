--[[
  Create or change a role reward rule, refusing one whose role another rule already rewards with the
  opposite removeWhenLost (one would take away what the other keeps); audited.

  KEYS[1] rule index zset          (prefix:rolerules: id -> createdAt)
  KEYS[2] rule roles hash          (prefix:rolerules:roles: id -> "roleId|removeWhenLost")
  KEYS[3] the rule's hash          (prefix:rolerule:{id})
  KEYS[4] audit stream

  ARGV[1] rule id     ARGV[2] "roleId|removeWhenLost" (removeWhenLost is 0 or 1)
  ARGV[3] rule fields JSON (flat object)    ARGV[4] actor    ARGV[5] action (role-reward.create | role-reward.update)
  ARGV[6] before JSON ('' on create)        ARGV[7] after JSON    ARGV[8] now (ms)    ARGV[9] max rules

  Output: 1 saved; { -8, otherRuleId } when another rule of the role contradicts it; { -9, max } when a
  new rule would pass the maximum; { -3 } when an update finds the rule gone (nothing written in any case).
]]
--- @include "addAudit"
--- @include "setFields"
local id, role = ARGV[1], ARGV[2]
local roleId, remove = string.match(role, '^(.*)|(.*)$')
local creating = ARGV[6] == ''

if creating then
  if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[9]) then return { -9, ARGV[9] } end
elseif redis.call('EXISTS', KEYS[3]) == 0 then
  return { -3 }
end

local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  if all[i] ~= id then
    local otherRole, otherRemove = string.match(all[i + 1], '^(.*)|(.*)$')
    if otherRole == roleId and otherRemove ~= remove then return { -8, all[i] } end
  end
end

setFields(KEYS[3], ARGV[3])
redis.call('HSET', KEYS[2], id, role)
if creating then redis.call('ZADD', KEYS[1], ARGV[8], id) end
addAudit(KEYS[4], ARGV[4], ARGV[5], 'role-reward:' .. id, ARGV[6], ARGV[7], ARGV[8])
return 1
