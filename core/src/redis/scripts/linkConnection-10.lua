--[[
  Link a member's X account: one X account per member and the reverse; audited.
  Relinking a member to another X account replaces the old link and its reverse lookups.

  KEYS[1] connection hash       KEYS[2] X id reverse lookup   KEYS[3] handle reverse lookup
  KEYS[4] linked members zset   KEYS[5] encrypted tokens      KEYS[6] member hash
  KEYS[7] members zset          KEYS[8] audit stream
  KEYS[9] the current link's X id reverse lookup, KEYS[10] its handle reverse lookup
          (as the caller read the link; any key when there was none)

  ARGV[1] discord id   ARGV[2] display name   ARGV[3] X user id   ARGV[4] handle
  ARGV[5] scopes (space separated)   ARGV[6] token ciphertext   ARGV[7] now (ms)   ARGV[8] actor
  ARGV[9] the current link's X user id and ARGV[10] its handle, as the caller read them ('' = none)

  Output: 1, -2 when the X account is linked to another member,
          -6 when the current link is no longer what the caller read (read it again and retry).
]]
--- @include "addAudit"
--- @include "ensureMember"
local discordId, displayName, xUserId, handle, scopes, cipher, now, actor =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]

local old = redis.call('HMGET', KEYS[1], 'xUserId', 'handle', 'linkedAt')
if (old[1] or '') ~= ARGV[9] or (old[2] or '') ~= ARGV[10] then return -6 end

local owner = redis.call('GET', KEYS[2])
if owner and owner ~= discordId then return -2 end

if old[1] and old[1] ~= xUserId then
  redis.call('DEL', KEYS[9])
end
if old[2] and string.lower(old[2]) ~= string.lower(handle) then
  if redis.call('GET', KEYS[10]) == discordId then redis.call('DEL', KEYS[10]) end
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
