--[[
  A manual point adjustment by an admin, with a reason, in the same ledger; audited.

  KEYS[1] member hash            KEYS[2] all-time leaderboard   KEYS[3] weeks index
  KEYS[4] daily points hash      KEYS[5] idempotency marker     KEYS[6] audit stream
  KEYS[7] the log hash to write  KEYS[8] member's logs zset     KEYS[9] this week's leaderboard
  KEYS[10] today's board         KEYS[11] this month's board

  ARGV[1] discord id   ARGV[2] delta (integer, may be negative)   ARGV[3] reason   ARGV[4] actor
  ARGV[5] now (ms)     ARGV[6] ISO week   ARGV[7] UTC day   ARGV[8] log id (from the log sequence)
  ARGV[9] seconds the day board lives   ARGV[10] seconds the month board lives
  ARGV[11] seconds the week board lives  ARGV[12] oldest week still kept (the weeks index forgets earlier ones)

  Output: the log id written, or the existing one when the idempotency key was used before;
          -3 when the member does not exist.
]]
--- @include "addPoints"
--- @include "addAudit"
--- @include "addPeriodPoints"
local discordId, delta, reason, actor, now, week, day, logId =
  ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]

local existing = redis.call('GET', KEYS[5])
if existing then return existing end
if redis.call('EXISTS', KEYS[1]) == 0 then return -3 end

local before = tonumber(redis.call('HGET', KEYS[1], 'totalPoints') or '0')
redis.call('HSET', KEYS[7], 'id', logId, 'source', 'adjustment', 'discordId', discordId,
  'points', delta, 'reason', reason, 'actor', actor, 'week', week, 'day', day, 'createdAt', now)
redis.call('ZADD', KEYS[8], now, logId)
addPoints(KEYS[1], KEYS[2], KEYS[4], discordId, delta, day, now)
addPeriodPoints({ KEYS[9], KEYS[10], KEYS[11] },
  { [KEYS[9]] = tonumber(ARGV[11]), [KEYS[10]] = tonumber(ARGV[9]), [KEYS[11]] = tonumber(ARGV[10]) }, discordId, delta)
indexWeek(KEYS[3], week, ARGV[12])
redis.call('SET', KEYS[5], logId)
addAudit(KEYS[6], actor, 'points.adjust', 'member:' .. discordId,
  cjson.encode({ totalPoints = before }), cjson.encode({ totalPoints = before + delta, delta = delta, reason = reason }), now)
return logId
