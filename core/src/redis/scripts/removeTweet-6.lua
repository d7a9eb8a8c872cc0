--[[
  Stop tracking a tweet (status -> deleted), optionally taking back every point it gave; audited.

  KEYS[1] tweet hash   KEYS[2] tweet's logs zset   KEYS[3] all-time leaderboard
  KEYS[4] daily points hash   KEYS[5] audit stream   KEYS[6] changed tweets zset

  ARGV[1] key prefix   ARGV[2] tweet id   ARGV[3] revoke (1/0)   ARGV[4] actor   ARGV[5] now (ms)

  Output: { revokedAwards, revokedPoints }, or -3 when the tweet does not exist. A revoke takes the
  revoked awards off the post's engagementCount too. Deleting an already deleted post with nothing
  left to revoke writes nothing and is not audited.
]]
--- @include "addAudit"
--- @include "touchTweet"
local prefix, tweetId, revoke, actor, now = ARGV[1], ARGV[2], ARGV[3] == '1', ARGV[4], ARGV[5]
if redis.call('EXISTS', KEYS[1]) == 0 then return -3 end

local statusBefore = redis.call('HGET', KEYS[1], 'status')
local count, points = 0, 0
if revoke then
  for _, logId in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
    local logKey = prefix .. ':log:' .. logId
    local l = redis.call('HMGET', logKey, 'source', 'discordId', 'points', 'week', 'day', 'kind', 'revokedAt')
    if l[1] == 'award' and not l[7] then
      local p = tonumber(l[3])
      local neg = 0 - p -- not -p: Lua's -0 reaches Redis as "-0", which HINCRBY refuses
      local memberKey = prefix .. ':member:' .. l[2]
      redis.call('HINCRBY', memberKey, 'totalPoints', neg)
      redis.call('HINCRBY', memberKey, 'count_' .. l[6], -1)
      redis.call('HSET', memberKey, 'updatedAt', now)
      redis.call('ZINCRBY', KEYS[3], neg, l[2])
      redis.call('ZINCRBY', prefix .. ':leaderboard:weekly:' .. l[4], neg, l[2])
      redis.call('HINCRBY', KEYS[4], l[5], neg)
      redis.call('HSET', logKey, 'revokedAt', now, 'revokedBy', actor)
      count = count + 1
      points = points + p
    end
  end
  -- (Never by zero: Lua's -0 reaches Redis as "-0", which HINCRBY refuses.)
  if points > 0 then redis.call('HINCRBY', KEYS[1], 'pointsAwarded', -points) end
  if count > 0 then redis.call('HINCRBY', KEYS[1], 'engagementCount', -count) end
end
-- Deleting a deleted post with nothing (left) to take back changes nothing: not audited.
if statusBefore == 'deleted' and count == 0 then return { 0, 0 } end
redis.call('HSET', KEYS[1], 'status', 'deleted', 'deletedAt', now, 'deletedBy', actor)
touchTweet(KEYS[6], tweetId)
addAudit(KEYS[5], actor, revoke and 'tweet.delete_revoke' or 'tweet.delete', 'tweet:' .. tweetId,
  cjson.encode({ status = statusBefore }), cjson.encode({ status = 'deleted', revokedAwards = count, revokedPoints = points }), now)
return { count, points }
