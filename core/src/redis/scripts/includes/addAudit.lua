-- Append an admin action to the audit stream. before/after are JSON strings ('' when absent).
local function addAudit(auditKey, actor, action, target, before, after, now)
  return redis.call('XADD', auditKey, '*', 'actor', actor, 'action', action, 'target', target,
    'before', before, 'after', after, 'at', now)
end
