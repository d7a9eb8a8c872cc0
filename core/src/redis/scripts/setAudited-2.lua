--[[
  Replace a string value (e.g. a settings document) and audit the change, atomically.

  KEYS[1] the string key   KEYS[2] audit stream
  ARGV[1] new value   ARGV[2] actor   ARGV[3] action   ARGV[4] target   ARGV[5] before (JSON)   ARGV[6] after (JSON)
  ARGV[7] now (ms)

  Output: the audit entry id.
]]
--- @include "addAudit"
redis.call('SET', KEYS[1], ARGV[1])
return addAudit(KEYS[2], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
