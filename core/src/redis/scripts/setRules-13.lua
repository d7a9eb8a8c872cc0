--[[
  Write changed point rules and audit the change, atomically.

  KEYS[1..12] rule cells (prefix:rules:{tier}-{kind}) in the domain's ruleCells() order   KEYS[13] audit stream
  ARGV[1] actor   ARGV[2] action (rules.update / rules.reset)   ARGV[3] before (JSON)   ARGV[4] after (JSON)
  ARGV[5] now (ms)   ARGV[6..17] new points of each cell, in KEYS order ('' = leave the cell alone)

  Output: the number of cells written.
]]
--- @include "addAudit"
local written = 0
for i = 1, 12 do
  local v = ARGV[5 + i]
  if v ~= '' then
    redis.call('SET', KEYS[i], v)
    written = written + 1
  end
end
addAudit(KEYS[13], ARGV[1], ARGV[2], 'rules', ARGV[3], ARGV[4], ARGV[5])
return written
