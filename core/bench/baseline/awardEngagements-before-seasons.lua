-- BENCHMARK BASELINE, not part of the product (the script loader never reads this folder).
-- The award script as it was when seasons were asked for (core/src/redis/scripts/awardEngagements-9+.lua at
-- c5e470d^, before the season work; its includes addPoints and touchTweet inlined), frozen so that
-- `npm run bench:ledger` can run today's season awards side by side with the award path of that day.
--[[
  Award points for a batch of engagements, atomically and idempotently.
  At most one award per (tweet, member, kind): the award log key is the marker.
  Banned members get nothing. An engagement the caller holds back (member not eligible, reply
  rejected) is recorded as not awarded with its reason instead (the held item hash), and awarded by a
  later call once it is no longer held; an admin's dismissal of a held item is final, an admin's
  approval ('+') awards it whatever the rules say.
  Every key is passed in KEYS (one hash slot on Redis Cluster); nothing is built here.

  KEYS[1] batch lock                 KEYS[2] all-time leaderboard
  KEYS[3] weeks index                KEYS[4] daily points hash
  KEYS[5] this batch's award logs    KEYS[6] banned members hash
  KEYS[7] review queue zset          KEYS[8] changed tweets zset
  KEYS[9] this week's leaderboard (the week of ARGV[4])
  KEYS[10 .. 9+R]  rule keys, one per cell named in ARGV[6] (R cells, same order)
  then 8 keys per engagement n (n = 1, 2, ..., in the order of the quadruples in ARGV):
    tweet hash, member hash, connection hash, award log hash, member's logs zset, tweet's logs zset,
    held item hash, member's held items zset

  ARGV[1] batch id
  ARGV[2] fence token expected in the lock, '' to skip the check
  ARGV[3] now (epoch ms)
  ARGV[4] ISO week of now, e.g. 2026-W48
  ARGV[5] UTC day of now, e.g. 2026-11-24
  ARGV[6] rule cells of KEYS[10..], JSON array like ["1-like", "1-retweet", ...]
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
-- Add (or with a negative value, take back) points for a member everywhere totals live:
-- member total, all-time board, the week's board (registered in the weeks index) and the daily series.
local function addPoints(memberKey, alltimeKey, weeklyKey, weeksKey, dailyKey, discordId, points, week, day, now)
  redis.call('HINCRBY', memberKey, 'totalPoints', points)
  redis.call('HSET', memberKey, 'updatedAt', now)
  redis.call('ZINCRBY', alltimeKey, points, discordId)
  redis.call('ZINCRBY', weeklyKey, points, discordId)
  redis.call('ZADD', weeksKey, 0, week)
  redis.call('HINCRBY', dailyKey, day, points)
end
-- Mark a tweet as changed: its score becomes the next change number (the set's highest + 1), so a
-- reader that has seen changes up to N re-reads exactly the tweets scored above N.
local function touchTweet(changedKey, tweetId)
  local top = redis.call('ZREVRANGE', changedKey, 0, 0, 'WITHSCORES')
  redis.call('ZADD', changedKey, (tonumber(top[2]) or 0) + 1, tweetId)
end
local batchId, fence, now, week, day = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local weeklyKey = KEYS[9]

if fence ~= '' then
  local holder = redis.call('GET', KEYS[1])
  if not holder or string.match(holder, '|(%d+)$') ~= fence then
    return -1
  end
end

-- Record (or refresh the reason of) an engagement held back; new items join the review queue.
local function hold(heldKey, memberHeldKey, heldId, tweetId, discordId, kind, spec)
  local h = cjson.decode(spec)
  if redis.call('EXISTS', heldKey) == 0 then
    redis.call('HSET', heldKey, 'id', heldId, 'tweetId', tweetId, 'discordId', discordId, 'kind', kind,
      'status', 'held', 'createdAt', now, 'batchId', batchId)
    redis.call('ZADD', KEYS[7], now, heldId)
    redis.call('ZADD', memberHeldKey, now, heldId)
  end
  redis.call('HSET', heldKey, 'reason', h.reason or 'held', 'code', h.code or '', 'detail', h.detail or '',
    'text', h.text or '', 'updatedAt', now)
end

local defaults = cjson.decode(ARGV[7])
local ruleKey = {}
local cells = cjson.decode(ARGV[6])
for i, cell in ipairs(cells) do ruleKey[cell] = KEYS[9 + i] end
local firstEngagementKey = 9 + #cells

local awarded, total, duplicates = 0, 0, 0
local out = { 0, 0, 0 }

for n = 0, (#ARGV - 7) / 4 - 1 do
  local tweetId, discordId, kind, holdSpec = ARGV[8 + 4 * n], ARGV[9 + 4 * n], ARGV[10 + 4 * n], ARGV[11 + 4 * n]
  local k = firstEngagementKey + 8 * n
  local tweetKey, memberKey, connectionKey = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  local logKey, memberLogsKey, tweetLogsKey = KEYS[k + 4], KEYS[k + 5], KEYS[k + 6]
  local heldKey, memberHeldKey = KEYS[k + 7], KEYS[k + 8]
  local heldId = tweetId .. ':' .. discordId .. ':' .. kind
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
    local xUserId = redis.call('HGET', connectionKey, 'xUserId')
    local logId = 'award:' .. tweetId .. ':' .. discordId .. ':' .. kind
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
      hold(heldKey, memberHeldKey, heldId, tweetId, discordId, kind, holdSpec)
      outcome = 8
    else
      local cell = tier .. '-' .. kind
      local rule = ruleKey[cell] and redis.call('GET', ruleKey[cell])
      points = tonumber(rule or defaults[cell] or 0)
      redis.call('HSET', logKey, 'id', logId, 'source', 'award', 'discordId', discordId, 'tweetId', tweetId,
        'kind', kind, 'tier', tier, 'points', points, 'week', week, 'day', day, 'createdAt', now, 'batchId', batchId)
      redis.call('ZADD', memberLogsKey, now, logId)
      redis.call('ZADD', tweetLogsKey, now, logId)
      redis.call('ZADD', KEYS[5], now, logId)
      redis.call('HINCRBY', memberKey, 'count_' .. kind, 1)
      addPoints(memberKey, KEYS[2], weeklyKey, KEYS[3], KEYS[4], discordId, points, week, day, now)
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
