--[[
  Remove a member's X link, its tokens and reverse lookups; audited.

  KEYS[1] connection hash   KEYS[2] linked members zset   KEYS[3] encrypted tokens   KEYS[4] audit stream
  ARGV[1] key prefix   ARGV[2] discord id   ARGV[3] actor   ARGV[4] now (ms)

  Output: { xUserId, handle } of the removed link, or -3 when there was none.
]]
--- @include "addAudit"
local prefix, discordId, actor, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local c = redis.call('HMGET', KEYS[1], 'xUserId', 'handle')
if not c[1] then return -3 end
local idKey = prefix .. ':twitterid:' .. c[1]
if redis.call('GET', idKey) == discordId then redis.call('DEL', idKey) end
local hKey = prefix .. ':twitter:' .. string.lower(c[2])
if redis.call('GET', hKey) == discordId then redis.call('DEL', hKey) end
redis.call('DEL', KEYS[1], KEYS[3])
redis.call('ZREM', KEYS[2], discordId)
addAudit(KEYS[4], actor, 'connection.unlink', 'member:' .. discordId, cjson.encode({ xUserId = c[1], handle = c[2] }), '', now)
return { c[1], c[2] }
