--[[
  Award points for a batch of engagements, atomically and idempotently.
  At most one award per (tweet, member, kind): the award log key is the marker.

  KEYS[1] batch lock                 (prefix:lock:batch)
  KEYS[2] all-time leaderboard       (prefix:leaderboard:alltime)
  KEYS[3] weeks index                (prefix:leaderboard:weeks)
  KEYS[4] daily points hash          (prefix:stats:points:daily)
  KEYS[5] this batch's award logs    (prefix:batch:{batchId}:logs)
  KEYS[6] changed tweets zset        (prefix:tweets:changed)

  ARGV[1] key prefix
  ARGV[2] batch id
  ARGV[3] fence token expected in the lock, '' to skip the check
  ARGV[4] now (epoch ms)
  ARGV[5] ISO week of now, e.g. 2026-W48
  ARGV[6] UTC day of now, e.g. 2026-11-24
  ARGV[7] default points, JSON object {"1-like":1, ...} used when a rule key is unset
  ARGV[8..] triples: tweetId, discordId, kind

  Output: { awarded, points, duplicates, outcome1, points1, outcome2, points2, ... }
    outcome codes: 0 duplicate, 1 awarded, 2 self (own submission), 3 own_tweet,
                   4 unknown_tweet, 5 unknown_member (no member, or no longer linked to X), 6 inactive_tweet
    -1 when the fence no longer holds the lock (nothing written)
]]
--- @include "addPoints"
--- @include "touchTweet"
local prefix, batchId, fence, now, week, day = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]

if fence ~= '' then
  local holder = redis.call('GET', KEYS[1])
  if not holder or string.match(holder, '|(%d+)$') ~= fence then
    return -1
  end
end

local defaults = cjson.decode(ARGV[7])
local awarded, total, duplicates = 0, 0, 0
local out = { 0, 0, 0 }

for i = 8, #ARGV, 3 do
  local tweetId, discordId, kind = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local tweetKey = prefix .. ':tweet:' .. tweetId
  local memberKey = prefix .. ':member:' .. discordId
  local outcome, points = 1, 0
  local t = redis.call('HMGET', tweetKey, 'status', 'submitterId', 'authorId')
  if not t[1] then
    outcome = 4
  elseif t[1] ~= 'active' then
    outcome = 6
  elseif t[2] == discordId then
    outcome = 2
  else
    local tier = redis.call('HGET', memberKey, 'tier')
    local xUserId = redis.call('HGET', prefix .. ':connection:' .. discordId, 'xUserId')
    if not tier or not xUserId then
      outcome = 5
    elseif xUserId == t[3] then
      outcome = 3
    else
      local logId = 'award:' .. tweetId .. ':' .. discordId .. ':' .. kind
      local logKey = prefix .. ':log:' .. logId
      if redis.call('EXISTS', logKey) == 1 then
        outcome = 0
        duplicates = duplicates + 1
      else
        local cell = tier .. '-' .. kind
        points = tonumber(redis.call('GET', prefix .. ':rules:' .. cell) or defaults[cell] or 0)
        redis.call('HSET', logKey, 'id', logId, 'source', 'award', 'discordId', discordId, 'tweetId', tweetId,
          'kind', kind, 'tier', tier, 'points', points, 'week', week, 'day', day, 'createdAt', now, 'batchId', batchId)
        redis.call('ZADD', prefix .. ':user:' .. discordId .. ':logs', now, logId)
        redis.call('ZADD', prefix .. ':tweet:' .. tweetId .. ':logs', now, logId)
        redis.call('ZADD', KEYS[5], now, logId)
        redis.call('HINCRBY', memberKey, 'count_' .. kind, 1)
        addPoints(prefix, memberKey, KEYS[2], KEYS[3], KEYS[4], discordId, points, week, day, now)
        redis.call('HINCRBY', tweetKey, 'pointsAwarded', points)
        redis.call('HINCRBY', tweetKey, 'engagementCount', 1)
        touchTweet(KEYS[6], tweetId)
        awarded = awarded + 1
        total = total + points
      end
    end
  end
  out[#out + 1] = outcome
  out[#out + 1] = points
end

out[1], out[2], out[3] = awarded, total, duplicates
return out
