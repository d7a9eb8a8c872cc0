--[[
  Record a tweet submission unless the tweet id was submitted before (by anyone).

  KEYS[1] duplicate check (prefix:tweetid:{tweetId})   KEYS[2] tweet hash   KEYS[3] recent tweets zset
  KEYS[4] changed tweets zset (prefix:tweets:changed)
  ARGV[1] submitter discord id   ARGV[2] submittedAt (ms)   ARGV[3] tweet id   ARGV[4..] field, value pairs

  Output: 1 when recorded, 0 when it is a duplicate.
]]
--- @include "touchTweet"
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
touchTweet(KEYS[4], ARGV[3])
return 1
