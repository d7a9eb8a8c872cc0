--[[
  Award points for a batch of engagements, atomically and idempotently.
  At most one award per (tweet, member, kind): the award log key is the marker.
  Banned members get nothing. An engagement the caller holds back (member not eligible, reply
  rejected) is recorded as not awarded with its reason instead (prefix:held:{id}), and awarded by a
  later call once it is no longer held; an admin's dismissal of a held item is final, an admin's
  approval ('+') awards it whatever the rules say.

  KEYS[1] batch lock                 (prefix:lock:batch)
  KEYS[2] all-time leaderboard       (prefix:leaderboard:alltime)
  KEYS[3] weeks index                (prefix:leaderboard:weeks)
  KEYS[4] daily points hash          (prefix:stats:points:daily)
  KEYS[5] this batch's award logs    (prefix:batch:{batchId}:logs)
  KEYS[6] banned members hash        (prefix:bans)
  KEYS[7] review queue zset          (prefix:held:open)
  KEYS[8] changed tweets zset        (prefix:tweets:changed)

  ARGV[1] key prefix
  ARGV[2] batch id
  ARGV[3] fence token expected in the lock, '' to skip the check
  ARGV[4] now (epoch ms)
  ARGV[5] ISO week of now, e.g. 2026-W48
  ARGV[6] UTC day of now, e.g. 2026-11-24
  ARGV[7] default points, JSON object {"1-like":1, ...} used when a rule key is unset
  ARGV[8..] quadruples: tweetId, discordId, kind, hold
            hold: '' award; '+' admin approval (award even if held or dismissed);
                  otherwise JSON {"reason":"ineligible"|"reply", "code":..., "detail":..., "text":...}: hold back

  Output: { awarded, points, duplicates, outcome1, points1, outcome2, points2, ... }
    outcome codes: 0 duplicate, 1 awarded, 2 self (own submission), 3 own_tweet,
                   4 unknown_tweet, 5 unknown_member (no member, or no longer linked to X), 6 inactive_tweet,
                   7 banned, 8 held (recorded, not awarded), 9 dismissed (an admin dropped it)
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

-- Record (or refresh the reason of) an engagement held back; new items join the review queue.
local function hold(heldKey, heldId, tweetId, discordId, kind, spec)
  local h = cjson.decode(spec)
  if redis.call('EXISTS', heldKey) == 0 then
    redis.call('HSET', heldKey, 'id', heldId, 'tweetId', tweetId, 'discordId', discordId, 'kind', kind,
      'status', 'held', 'createdAt', now, 'batchId', batchId)
    redis.call('ZADD', KEYS[7], now, heldId)
    redis.call('ZADD', prefix .. ':user:' .. discordId .. ':held', now, heldId)
  end
  redis.call('HSET', heldKey, 'reason', h.reason or 'held', 'code', h.code or '', 'detail', h.detail or '',
    'text', h.text or '', 'updatedAt', now)
end

local defaults = cjson.decode(ARGV[7])
local awarded, total, duplicates = 0, 0, 0
local out = { 0, 0, 0 }

for i = 8, #ARGV, 4 do
  local tweetId, discordId, kind, holdSpec = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local tweetKey = prefix .. ':tweet:' .. tweetId
  local memberKey = prefix .. ':member:' .. discordId
  local heldId = tweetId .. ':' .. discordId .. ':' .. kind
  local heldKey = prefix .. ':held:' .. heldId
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
    local logId = 'award:' .. tweetId .. ':' .. discordId .. ':' .. kind
    local logKey = prefix .. ':log:' .. logId
    if not tier or not xUserId then
      outcome = 5
    elseif xUserId == t[3] then
      outcome = 3
    elseif redis.call('EXISTS', logKey) == 1 then
      outcome = 0
      duplicates = duplicates + 1
    elseif redis.call('HEXISTS', KEYS[6], discordId) == 1 then
      outcome = 7
    elseif holdSpec ~= '+' and redis.call('HGET', heldKey, 'status') == 'dismissed' then
      outcome = 9
    elseif holdSpec ~= '' and holdSpec ~= '+' then
      hold(heldKey, heldId, tweetId, discordId, kind, holdSpec)
      outcome = 8
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
      touchTweet(KEYS[8], tweetId)
      -- A held item awarded later (the member became eligible, or an admin approved it) leaves the queue.
      if redis.call('EXISTS', heldKey) == 1 then
        redis.call('HSET', heldKey, 'status', holdSpec == '+' and 'approved' or 'awarded', 'resolvedAt', now,
          'resolvedBy', batchId, 'updatedAt', now)
        redis.call('ZREM', KEYS[7], heldId)
      end
      awarded = awarded + 1
      total = total + points
    end
  end
  out[#out + 1] = outcome
  out[#out + 1] = points
end

out[1], out[2], out[3] = awarded, total, duplicates
return out
