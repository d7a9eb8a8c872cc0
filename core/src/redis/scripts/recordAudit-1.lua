--[[
  Append an admin action to the audit stream, for actions that change nothing else in Redis (sign-ins,
  refusals, Kubernetes Jobs started). Scripts that change data call the same include themselves.

  KEYS[1] audit stream
  ARGV[1] actor   ARGV[2] action   ARGV[3] target   ARGV[4] before (JSON, '' = none)   ARGV[5] after (JSON, '' = none)
  ARGV[6] now (ms)

  Output: the stream entry id.
]]
--- @include "addAudit"
return addAudit(KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6])
