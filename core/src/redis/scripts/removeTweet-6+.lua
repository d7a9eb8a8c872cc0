--[[
  Stop tracking a tweet (status -> deleted), optionally taking back every point it gave; audited.

  KEYS[1] tweet hash   KEYS[2] tweet's logs zset   KEYS[3] all-time leaderboard
  KEYS[4] daily points hash   KEYS[5] audit stream   KEYS[6] changed tweets zset
  with revoke, 7 keys per log id in ARGV[6..] (same order): log hash, member hash, leaderboard of the log's
  ISO week, of its UTC day and of its month (each only while it exists: an expired board stays gone), and the hash and
  board of the log's season (used only when the log has a season, read from its `season` field or, on logs
  of earlier releases, from seasonId/seasonPoints; taken back only before the season ends: a season's final
  board stands)

  ARGV[1] tweet id   ARGV[2] revoke (1/0)   ARGV[3] actor   ARGV[4] now (ms)
  ARGV[5] number of log ids that follow
  ARGV[6..] with revoke: every log id in the tweet's logs zset, in ZRANGE order, as the caller read it

  Output: { revokedAwards, revokedPoints }, -3 when the tweet does not exist,
          -6 when the tweet's logs are no longer what the caller read (read them again and retry).
  A revoke takes the revoked awards off the post's engagementCount too. Deleting an already
  deleted post with nothing left to revoke writes nothing and is not audited.
]]
--- @include "addAudit"
--- @include "touchTweet"
--- @include "addPeriodPoints"
local tweetId, revoke, actor, now, logCount = ARGV[1], ARGV[2] == '1', ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('EXISTS', KEYS[1]) == 0 then return -3 end

local statusBefore = redis.call('HGET', KEYS[1], 'status')
local count, points = 0, 0
if revoke then
  local logIds = redis.call('ZRANGE', KEYS[2], 0, -1)
  if #logIds ~= logCount then return -6 end
  for i = 1, logCount do
    if logIds[i] ~= ARGV[5 + i] then return -6 end
  end
  for i = 1, logCount do
    local b = 6 + 7 * (i - 1)
    local logKey, memberKey, weeklyKey = KEYS[b + 1], KEYS[b + 2], KEYS[b + 3]
    local dayBoardKey, monthBoardKey, seasonKey, seasonBoardKey = KEYS[b + 4], KEYS[b + 5], KEYS[b + 6], KEYS[b + 7]
    local l = redis.call('HMGET', logKey, 'source', 'discordId', 'points', 'week', 'day', 'kind', 'revokedAt', 'season', 'seasonId', 'seasonPoints')
    if l[1] == 'award' and not l[7] then
      local p = tonumber(l[3])
      local neg = 0 - p -- not -p: Lua's -0 reaches Redis as "-0", which HINCRBY refuses
      redis.call('HINCRBY', memberKey, 'totalPoints', neg)
      redis.call('HINCRBY', memberKey, 'count_' .. l[6], -1)
      redis.call('HSET', memberKey, 'updatedAt', now)
      redis.call('ZINCRBY', KEYS[3], neg, l[2])
      addPeriodPoints({ weeklyKey, dayBoardKey, monthBoardKey }, {}, l[2], neg)
      -- the log's season: `season` = '<id>:<points>:<pct>', or (logs of earlier releases) seasonId and seasonPoints
      local seasonId, sp = l[9], tonumber(l[10] or '0')
      if l[8] then
        local id, pts = string.match(l[8], '^([^:]+):(%-?%d+):')
        seasonId, sp = id, tonumber(pts or '0')
      end
      if seasonId and sp > 0 then
        local endsAt = tonumber(redis.call('HGET', seasonKey, 'endsAt') or '0')
        if tonumber(now) < endsAt then redis.call('ZINCRBY', seasonBoardKey, 0 - sp, l[2]) end
      end
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
