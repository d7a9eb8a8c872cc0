--[[
  Store a member's refreshed X tokens, but only while the member is still linked (to the same X
  account, when one is given): a refresh that finishes after /disconnect or a relink must not
  bring tokens back or overwrite the new account's tokens.

  KEYS[1] connection hash   KEYS[2] encrypted tokens
  ARGV[1] token ciphertext  ARGV[2] expected X user id ('' = any linked account)

  Output: 1 saved, -3 when the member is not linked (or is linked to another X account).
]]
local xUserId = redis.call('HGET', KEYS[1], 'xUserId')
if not xUserId or (ARGV[2] ~= '' and xUserId ~= ARGV[2]) then return -3 end
redis.call('SET', KEYS[2], ARGV[1])
return 1
