--[[
  Set a tweet's status, only if it is still the expected one (compare-and-set), and mark the tweet
  changed for readers of the changed-tweets set.

  KEYS[1] tweet hash   KEYS[2] changed tweets zset (prefix:tweets:changed)
  ARGV[1] expected status ('' = any)   ARGV[2] new status   ARGV[3] reason ('' = none)   ARGV[4] tweet id

  Output: 1 updated, 0 status differs, -3 no such tweet.
]]
--- @include "touchTweet"
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return -3 end
if ARGV[1] ~= '' and status ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'statusReason', ARGV[3])
touchTweet(KEYS[2], ARGV[4])
return 1
