-- Add (or with a negative value, take back) points for a member where all-time totals live:
-- member total, all-time board and the daily series. The period boards are addPeriodPoints'.
local function addPoints(memberKey, alltimeKey, dailyKey, discordId, points, day, now)
  redis.call('HINCRBY', memberKey, 'totalPoints', points)
  redis.call('HSET', memberKey, 'updatedAt', now)
  redis.call('ZINCRBY', alltimeKey, points, discordId)
  redis.call('HINCRBY', dailyKey, day, points)
end
