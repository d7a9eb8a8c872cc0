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
