--[[
  Remove a member's X link, its tokens and reverse lookups; audited.

  KEYS[1] connection hash   KEYS[2] linked members zset   KEYS[3] encrypted tokens   KEYS[4] audit stream
  KEYS[5] the link's X id reverse lookup   KEYS[6] its handle reverse lookup (as the caller read the link)

  ARGV[1] discord id   ARGV[2] actor   ARGV[3] now (ms)
  ARGV[4] the link's X user id and ARGV[5] its handle, as the caller read them

  Output: { xUserId, handle } of the removed link, -3 when there was none,
          -6 when the link is no longer what the caller read (read it again and retry).
]]
--- @include "addAudit"
local discordId, actor, now = ARGV[1], ARGV[2], ARGV[3]
local c = redis.call('HMGET', KEYS[1], 'xUserId', 'handle')
if not c[1] then return -3 end
if c[1] ~= ARGV[4] or (c[2] or '') ~= ARGV[5] then return -6 end
if redis.call('GET', KEYS[5]) == discordId then redis.call('DEL', KEYS[5]) end
if redis.call('GET', KEYS[6]) == discordId then redis.call('DEL', KEYS[6]) end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('ZREM', KEYS[2], discordId)
addAudit(KEYS[4], actor, 'connection.unlink', 'member:' .. discordId, cjson.encode({ xUserId = c[1], handle = c[2] }), '', now)
return { c[1], c[2] }
