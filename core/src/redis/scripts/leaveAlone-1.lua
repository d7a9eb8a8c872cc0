--[[
  The role sync's memory of members it leaves alone for a role until a time (a human gave them the role, or
  they left the server), shared by every bot replica and kept across restarts.
  KEYS[1] zset `<roleId>:<discordId>` -> until (ms)
  ARGV[1] now (ms)   ARGV[2] until (ms)   ARGV[3] most entries kept   ARGV[4..] `<roleId>:<discordId>` to add
  Drops the entries whose time has passed, keeps the ARGV[3] that last longest, and lets the key expire
  with its last entry.
  Output: entries kept
]]
local now, untilMs, most = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV do redis.call('ZADD', KEYS[1], untilMs, ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
if count > most then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, count - most - 1)
  count = most
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] then redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now)) end
return count
