-- Mark a tweet as changed: its score becomes the next change number (the set's highest + 1), so a
-- reader that has seen changes up to N re-reads exactly the tweets scored above N.
local function touchTweet(changedKey, tweetId)
  local top = redis.call('ZREVRANGE', changedKey, 0, 0, 'WITHSCORES')
  redis.call('ZADD', changedKey, (tonumber(top[2]) or 0) + 1, tweetId)
end
