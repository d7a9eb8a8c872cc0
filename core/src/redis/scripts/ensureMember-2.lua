--[[
  Create a member (tier 1, no points) if new, and index it; refresh the display name when given.
  The only way a member is created (linkConnection uses the same include).

  KEYS[1] member hash   KEYS[2] members zset
  ARGV[1] discord id    ARGV[2] display name ('' = keep)   ARGV[3] now (ms)

  Output: 1 when the member was created, 0 when it existed.
]]
--- @include "ensureMember"
return ensureMember(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
