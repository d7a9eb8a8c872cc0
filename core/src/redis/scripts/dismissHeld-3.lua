--[[
  Dismiss a held engagement from the review queue: it will never be awarded (unless an admin
  approves it later). Idempotent: dismissing it again changes nothing and is not audited twice.

  KEYS[1] held item hash (prefix:held:{tweetId}:{discordId}:{kind})
  KEYS[2] review queue zset (prefix:held:open)
  KEYS[3] audit stream

  ARGV[1] actor   ARGV[2] now (ms)   ARGV[3] note ('' when none)

  Output: 1 dismissed now, 0 already dismissed, -3 no such item, -5 already awarded or approved.
]]
--- @include "addAudit"
local actor, now, note = ARGV[1], ARGV[2], ARGV[3]
local h = redis.call('HMGET', KEYS[1], 'id', 'status', 'reason', 'code')
if not h[1] then return -3 end
if h[2] == 'dismissed' then return 0 end
if h[2] ~= 'held' then return -5 end
redis.call('HSET', KEYS[1], 'status', 'dismissed', 'resolvedAt', now, 'resolvedBy', actor, 'note', note, 'updatedAt', now)
redis.call('ZREM', KEYS[2], h[1])
addAudit(KEYS[3], actor, 'review.dismiss', 'held:' .. h[1], cjson.encode({ status = h[2], reason = h[3], code = h[4] }),
  cjson.encode({ status = 'dismissed', note = note }), now)
return 1
