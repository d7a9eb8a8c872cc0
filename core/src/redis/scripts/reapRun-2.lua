--[[
  Mark a running batch run whose heartbeat stopped as failed, with the reason. If it still holds the
  batch lock, the lock is dropped too, so the run cannot award anything should it come back.

  KEYS[1] run record (hash)   KEYS[2] batch lock (value "runId|fence")
  ARGV[1] run id   ARGV[2] now (epoch ms)
  ARGV[3] silence allowed to a run that has reported progress (ms)
  ARGV[4] silence allowed to a run that never did (a manual run still starting) (ms)
  ARGV[5] error to record ('{s}' is replaced by the seconds of silence)

  Output: 1 reaped, 0 alive or not running.
]]
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
local now = tonumber(ARGV[2])
local fields = redis.call('HMGET', KEYS[1], 'heartbeatAt', 'startedAt', 'progress')
local beat = tonumber(fields[1] or '0') or 0
local started = tonumber(fields[2] or '0') or 0
local starting = beat == started and string.find(fields[3] or '', '"phase":"starting"', 1, true) ~= nil
local allowed = tonumber(starting and ARGV[4] or ARGV[3])
if now - beat <= allowed then return 0 end
local err = string.gsub(ARGV[5], '{s}', tostring(math.floor((now - beat) / 1000)))
redis.call('HSET', KEYS[1], 'status', 'failed', 'endedAt', now, 'error', err)
local holder = redis.call('GET', KEYS[2])
if holder and string.sub(holder, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then redis.call('DEL', KEYS[2]) end
return 1
