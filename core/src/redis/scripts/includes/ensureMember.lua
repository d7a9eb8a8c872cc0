-- Create a member hash with defaults if missing (tier 1, no points); index it in the members zset.
-- Refresh the display name of an existing member when one is given. Returns 1 when created, else 0.
local function ensureMember(memberKey, membersKey, discordId, displayName, now)
  if redis.call('EXISTS', memberKey) == 0 then
    redis.call('HSET', memberKey, 'discordId', discordId, 'displayName', displayName, 'tier', 1,
      'totalPoints', 0, 'joinedAt', now, 'updatedAt', now)
    redis.call('ZADD', membersKey, 'NX', now, discordId)
    return 1
  end
  if displayName ~= '' then
    redis.call('HSET', memberKey, 'displayName', displayName, 'updatedAt', now)
  end
  return 0
end
