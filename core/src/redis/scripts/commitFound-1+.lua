--[[
  Record what one batch read found, with the member's watermark when the read was a member's, in
  one call (all or nothing): a crash never saves a watermark without the engagements found under it.
  One command instead of a MULTI of two or three per engagement: a first likes scan finds hundreds.

  KEYS[1]   the pending set (engagements found, not yet awarded)
  KEYS[2..] in order: the member's watermark hash (when ARGV[2] > 0), then one engaged-index set per
            engagement, then one reply-text hash per reply

  ARGV[1]   seconds the engaged-index sets and reply hashes are kept
  ARGV[2]   F: number of watermark hash arguments that follow (field, value, ...); 0 = no watermark
  ARGV[...] F watermark arguments
  then      E: number of engagements, then per engagement: `discordId|kind` (the index entry), and the
            pending entry `tweetId|discordId|kind` or '' (the post is not tracked)
  then      R: number of replies, then per reply: discordId, `{ id, text }` JSON (kept only when the
            member has none there yet: their first reply is the one judged)

  Output: E
]]
local ttl = tonumber(ARGV[1])
local a = 2
local k = 2
local nFields = tonumber(ARGV[a])
a = a + 1
if nFields > 0 then
  redis.call('HSET', KEYS[k], unpack(ARGV, a, a + nFields - 1))
  a = a + nFields
  k = k + 1
end
local nFound = tonumber(ARGV[a])
a = a + 1
for _ = 1, nFound do
  redis.call('SADD', KEYS[k], ARGV[a])
  redis.call('EXPIRE', KEYS[k], ttl)
  if ARGV[a + 1] ~= '' then redis.call('SADD', KEYS[1], ARGV[a + 1]) end
  k = k + 1
  a = a + 2
end
local nReplies = tonumber(ARGV[a])
a = a + 1
for _ = 1, nReplies do
  redis.call('HSETNX', KEYS[k], ARGV[a], ARGV[a + 1])
  redis.call('EXPIRE', KEYS[k], ttl)
  k = k + 1
  a = a + 2
end
return nFound
