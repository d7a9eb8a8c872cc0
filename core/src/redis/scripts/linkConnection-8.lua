--[[
  Link a member's X account: one X account per member and the reverse; audited.
  Relinking a member to another X account replaces the old link and its reverse lookups.

  KEYS[1] connection hash (prefix:connection:{discordId})
  KEYS[2] X id reverse lookup (prefix:twitterid:{xUserId})
  KEYS[3] handle reverse lookup (prefix:twitter:{handle})
  KEYS[4] linked members zset   KEYS[5] encrypted tokens   KEYS[6] member hash
  KEYS[7] members zset          KEYS[8] audit stream

  ARGV[1] key prefix   ARGV[2] discord id   ARGV[3] display name   ARGV[4] X user id
  ARGV[5] handle       ARGV[6] scopes (space separated)   ARGV[7] token ciphertext
  ARGV[8] now (ms)     ARGV[9] actor

  Output: 1, or -2 when the X account is linked to another member.
]]
--- @include "addAudit"
--- @include "ensureMember"
local prefix, discordId, displayName, xUserId, handle, scopes, cipher, now, actor =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]

local owner = redis.call('GET', KEYS[2])
if owner and owner ~= discordId then return -2 end

local old = redis.call('HMGET', KEYS[1], 'xUserId', 'handle', 'linkedAt')
if old[1] and old[1] ~= xUserId then
  redis.call('DEL', prefix .. ':twitterid:' .. old[1])
end
if old[2] and string.lower(old[2]) ~= string.lower(handle) then
  local hkey = prefix .. ':twitter:' .. string.lower(old[2])
  if redis.call('GET', hkey) == discordId then redis.call('DEL', hkey) end
end

ensureMember(KEYS[6], KEYS[7], discordId, displayName, now)
local linkedAt = (old[1] == xUserId and old[3]) or now
redis.call('HSET', KEYS[1], 'discordId', discordId, 'xUserId', xUserId, 'handle', handle, 'scopes', scopes,
  'status', 'linked', 'linkedAt', linkedAt, 'updatedAt', now)
redis.call('HDEL', KEYS[1], 'statusReason')
redis.call('SET', KEYS[2], discordId)
redis.call('SET', KEYS[3], discordId)
redis.call('SET', KEYS[5], cipher)
redis.call('ZADD', KEYS[4], linkedAt, discordId)
addAudit(KEYS[8], actor, 'connection.link', 'member:' .. discordId,
  old[1] and cjson.encode({ xUserId = old[1], handle = old[2] }) or '', cjson.encode({ xUserId = xUserId, handle = handle }), now)
return 1
