--[[
  Ban or unban a member; audited. Idempotent: banning a banned member (or unbanning one who is not
  banned) changes nothing and is not audited again.

  KEYS[1] banned members hash (prefix:bans)   KEYS[2] audit stream
  ARGV[1] discord id   ARGV[2] ban record JSON { reason, actor, at }, or '' to unban
  ARGV[3] actor        ARGV[4] now (ms)       ARGV[5] reason of an unban ('' when none)

  Output: 1 changed, 0 nothing to change.
]]
--- @include "addAudit"
local discordId, record, actor, now, unbanReason = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local before = redis.call('HGET', KEYS[1], discordId)
if record ~= '' then
  if before then return 0 end
  redis.call('HSET', KEYS[1], discordId, record)
  addAudit(KEYS[2], actor, 'member.ban', 'member:' .. discordId, '', record, now)
else
  if not before then return 0 end
  redis.call('HDEL', KEYS[1], discordId)
  addAudit(KEYS[2], actor, 'member.unban', 'member:' .. discordId, before, cjson.encode({ reason = unbanReason }), now)
end
return 1
