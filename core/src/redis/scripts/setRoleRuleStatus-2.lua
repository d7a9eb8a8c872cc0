--[[
  Record what the bot found applying a role reward rule (state, lastSyncAt, and problem and message
  when there is one); a rule deleted meanwhile gets no status. lastChangeAt (written by
  recordRoleChange) is kept.

  KEYS[1] the rule's hash   KEYS[2] the rule's status hash

  ARGV[1] status fields JSON (flat object: state, lastSyncAt, problem?, message?)

  Output: 1 written, 0 the rule is gone.
]]
--- @include "setFields"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], 'problem', 'message')
setFields(KEYS[2], ARGV[1])
return 1
