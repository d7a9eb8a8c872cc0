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
  KEYS[9] this week's leaderboard (the week of ARGV[4]; expires after the kept weeks)
  KEYS[10 .. 9+R]  rule keys, one per cell named in ARGV[6] (R cells, same order)
  then the day board and the month board of ARGV[5] (2 keys),
  then 3 keys per season id listed in ARGV[8] (S seasons): season hash, season board, season usage hash
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
  ARGV[8] JSON {"weekTtl": seconds, "dayTtl": seconds, "monthTtl": seconds, "weeksFrom": oldest week still kept,
                "seasons": [ids of the seasons running at ARGV[3] ], "usageGraceMs": ms }
          the week, day and month boards live ...Ttl seconds from now; the weeks index forgets weeks before weeksFrom;
          a season's usage hash lives until usageGraceMs after the season's end
  ARGV[9..] quadruples: tweetId, discordId, kind, hold
            hold: '' award; '+' admin approval (award even if held or dismissed);
                  otherwise JSON {"reason":"ineligible"|"reply", "code":..., "detail":..., "text":...}: hold back

  An award inside a season also counts on that season's board (see addSeasonPoints: multiplier and caps
  applied), recorded on the award log in one field: season = '<seasonId>:<seasonPoints>:<multiplierPct>'.
  Each award writes its log hash at once (so a repeat within the call is a duplicate); the log indexes and
  the totals it adds to are collected per member, per tweet and per season and written once after the loop,
  in the same call (a season's usage of its caps is read for the whole call first).

  Output: { awarded, points, duplicates, outcome1, points1, outcome2, points2, ... }
    outcome codes: 0 duplicate, 1 awarded, 2 self (own submission), 3 own_tweet,
                   4 unknown_tweet, 5 unknown_member (no member, or no longer linked to X), 6 inactive_tweet,
                   7 banned, 8 held (recorded, not awarded), 9 dismissed (an admin dropped it)
    -1 when the fence no longer holds the lock (nothing written)
]]
--- @include "addPoints"
--- @include "touchTweet"
--- @include "addPeriodPoints"
--- @include "addSeasonPoints"
local batchId, fence, now, week, day = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local weekBoardKey = KEYS[9]

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
local extras = cjson.decode(ARGV[8])
local dayBoardKey, monthBoardKey = KEYS[10 + #cells], KEYS[11 + #cells]
local periodBoards = { weekBoardKey, dayBoardKey, monthBoardKey }
local ttl = { [weekBoardKey] = extras.weekTtl, [dayBoardKey] = extras.dayTtl, [monthBoardKey] = extras.monthTtl }
local seasons = {}
for i, id in ipairs(extras.seasons) do
  local b = 11 + #cells + 3 * (i - 1)
  seasons[i] = { id = id, hash = KEYS[b + 1], board = KEYS[b + 2], usage = KEYS[b + 3] }
end
local firstEngagementKey = 11 + #cells + 3 * #extras.seasons
local nowMs = tonumber(now)

local awarded, total, duplicates = 0, 0, 0
local out = { 0, 0, 0 }

-- What one call reads more than once is read once: a tweet's fields, a member's tier, X link and ban, a
-- rule (none of them changes during the call). What it adds up per member and per tweet (totals, counts,
-- boards, the daily series, the tweet's totals and change number) is written once per member and tweet
-- after the loop: the same end state as award by award, in far fewer commands.
local tweetFields, memberFacts, rulePoints = {}, {}, {}
local memberSums, memberOrder, tweetSums, tweetOrder = {}, {}, {}, {}

local function facts(memberKey, connectionKey)
  local m = memberFacts[memberKey]
  if not m then
    m = { tier = redis.call('HGET', memberKey, 'tier'), xUserId = redis.call('HGET', connectionKey, 'xUserId') }
    memberFacts[memberKey] = m
  end
  return m
end

local function isBanned(m, discordId)
  if m.banned == nil then m.banned = redis.call('HEXISTS', KEYS[6], discordId) == 1 end
  return m.banned
end

local function pointsOf(cell)
  if rulePoints[cell] == nil then
    local rule = ruleKey[cell] and redis.call('GET', ruleKey[cell])
    rulePoints[cell] = tonumber(rule or defaults[cell] or 0)
  end
  return rulePoints[cell]
end

local batchLogs = {}

-- One award's share of the member's and the tweet's sums, and its log id for the three log indexes.
local function addUp(memberKey, memberLogsKey, discordId, tweetKey, tweetLogsKey, tweetId, kind, points, logId)
  local m = memberSums[memberKey]
  if not m then
    m = { key = memberKey, logsKey = memberLogsKey, id = discordId, points = 0, kinds = {}, kindOrder = {}, logs = {} }
    memberSums[memberKey] = m
    memberOrder[#memberOrder + 1] = m
  end
  m.points = m.points + points
  if not m.kinds[kind] then
    m.kinds[kind] = 0
    m.kindOrder[#m.kindOrder + 1] = kind
  end
  m.kinds[kind] = m.kinds[kind] + 1
  local t = tweetSums[tweetKey]
  if not t then
    t = { key = tweetKey, logsKey = tweetLogsKey, id = tweetId, points = 0, count = 0, logs = {} }
    tweetSums[tweetKey] = t
    tweetOrder[#tweetOrder + 1] = t
  end
  t.points = t.points + points
  t.count = t.count + 1
  for _, list in ipairs({ m.logs, t.logs, batchLogs }) do
    list[#list + 1] = now
    list[#list + 1] = logId
  end
end

-- The usage fields of the seasons' caps this call may touch: each (post, member) if a season caps points per
-- post, each member today if one caps points per day; per engagement, the positions of its two in that list.
local usageFields, postUsageOf, dayUsageOf = {}, {}, {}
local anyPostCap, anyDayCap = prepareSeasons(seasons)
if anyPostCap or anyDayCap then
  local postAt, dayAt, count = {}, {}, 0
  for n = 0, (#ARGV - 8) / 4 - 1 do
    local discordId = ARGV[10 + 4 * n]
    if anyPostCap then
      local field = 'p:' .. ARGV[9 + 4 * n] .. ':' .. discordId
      local i = postAt[field]
      if not i then
        count = count + 1
        usageFields[count], postAt[field], i = field, count, count
      end
      postUsageOf[n] = i
    end
    if anyDayCap then
      local i = dayAt[discordId]
      if not i then
        count = count + 1
        usageFields[count], dayAt[discordId], i = 'd:' .. day .. ':' .. discordId, count, count
      end
      dayUsageOf[n] = i
    end
  end
  readSeasonUsage(seasons, usageFields)
end

for n = 0, (#ARGV - 8) / 4 - 1 do
  local tweetId, discordId, kind, holdSpec = ARGV[9 + 4 * n], ARGV[10 + 4 * n], ARGV[11 + 4 * n], ARGV[12 + 4 * n]
  local k = firstEngagementKey + 8 * n
  local tweetKey, memberKey, connectionKey = KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  local logKey, memberLogsKey, tweetLogsKey = KEYS[k + 4], KEYS[k + 5], KEYS[k + 6]
  local heldKey, memberHeldKey = KEYS[k + 7], KEYS[k + 8]
  local heldId = tweetId .. ':' .. discordId .. ':' .. kind
  local outcome, points = 1, 0
  local t = tweetFields[tweetKey]
  if not t then
    t = redis.call('HMGET', tweetKey, 'status', 'submitterId', 'authorId', 'category')
    tweetFields[tweetKey] = t
  end
  if not t[1] then
    outcome = 4
  elseif t[1] ~= 'active' then
    outcome = 6
  elseif t[2] == discordId then
    outcome = 2
  else
    local m = facts(memberKey, connectionKey)
    local logId = 'award:' .. tweetId .. ':' .. discordId .. ':' .. kind
    if not m.tier or not m.xUserId then
      outcome = 5
    elseif m.xUserId == t[3] then
      outcome = 3
    elseif redis.call('EXISTS', logKey) == 1 then
      outcome = 0
      duplicates = duplicates + 1
    elseif isBanned(m, discordId) then
      outcome = 7
    else
      local heldStatus = redis.call('HGET', heldKey, 'status')
      if holdSpec ~= '+' and heldStatus == 'dismissed' then
        outcome = 9
      elseif holdSpec ~= '' and holdSpec ~= '+' then
        hold(heldKey, memberHeldKey, heldId, tweetId, discordId, kind, holdSpec)
        outcome = 8
      else
        points = pointsOf(m.tier .. '-' .. kind)
        local log = { 'id', logId, 'source', 'award', 'discordId', discordId, 'tweetId', tweetId,
          'kind', kind, 'tier', m.tier, 'points', points, 'week', week, 'day', day, 'createdAt', now, 'batchId', batchId }
        local season = #seasons > 0 and addSeasonPoints(seasons, nowMs, t[4] or '', postUsageOf[n], dayUsageOf[n], discordId, points)
        if season then
          redis.call('HSET', logKey, 'season', season, unpack(log))
        else
          redis.call('HSET', logKey, unpack(log))
        end
        -- A held item awarded later (the member became eligible, or an admin approved it) leaves the queue.
        if heldStatus then
          redis.call('HSET', heldKey, 'status', holdSpec == '+' and 'approved' or 'awarded', 'resolvedAt', now,
            'resolvedBy', batchId, 'updatedAt', now)
          redis.call('ZREM', KEYS[7], heldId)
        end
        addUp(memberKey, memberLogsKey, discordId, tweetKey, tweetLogsKey, tweetId, kind, points, logId)
        awarded = awarded + 1
        total = total + points
      end
    end
  end
  out[#out + 1] = outcome
  out[#out + 1] = points
end

for _, m in ipairs(memberOrder) do
  redis.call('ZADD', m.logsKey, unpack(m.logs))
  for _, kind in ipairs(m.kindOrder) do redis.call('HINCRBY', m.key, 'count_' .. kind, m.kinds[kind]) end
  addPoints(m.key, KEYS[2], KEYS[4], m.id, m.points, day, now)
  addPeriodPoints(periodBoards, ttl, m.id, m.points)
end
for _, t in ipairs(tweetOrder) do
  redis.call('ZADD', t.logsKey, unpack(t.logs))
  redis.call('HINCRBY', t.key, 'pointsAwarded', t.points)
  redis.call('HINCRBY', t.key, 'engagementCount', t.count)
  touchTweet(KEYS[8], t.id)
end
flushSeasonPoints(seasons, usageFields, extras.usageGraceMs)
if awarded > 0 then
  redis.call('ZADD', KEYS[5], unpack(batchLogs))
  indexWeek(KEYS[3], week, extras.weeksFrom)
end
out[1], out[2], out[3] = awarded, total, duplicates
return out
