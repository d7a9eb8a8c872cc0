--[[
  Keep the last ARGV[1] change numbers of the changed-tweets set: drop the entries numbered at or below
  (highest - ARGV[1]) and raise the trimmed mark to that number, so a reader that last applied a change
  below the mark reloads everything instead of missing a dropped change. The highest entry always stays
  (the next change is numbered after it).
  KEYS[1] changed tweets zset (prefix:tweets:changed)   KEYS[2] trimmed mark (prefix:tweets:changed:trimmed)
  ARGV[1] change numbers kept (at least 1)
  Output: entries dropped
]]
local keep = math.max(1, tonumber(ARGV[1]))
local top = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if not top[2] then return 0 end
local upTo = tonumber(top[2]) - keep
if upTo <= 0 then return 0 end
local dropped = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', upTo)
if upTo > (tonumber(redis.call('GET', KEYS[2])) or 0) then redis.call('SET', KEYS[2], upTo) end
return dropped
