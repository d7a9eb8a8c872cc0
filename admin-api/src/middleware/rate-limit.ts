import type { RequestHandler, Response } from 'express';
import type { Stores } from '@engagement-tracker/core';

/**
 * Redis-backed sliding-window limits per client IP and, once known, per user or token. Runs before
 * authentication (IP) and after it (principal), so a flood of bad credentials is limited too.
 */
export function rateLimitByIp(stores: Stores, perMinute: number): RequestHandler {
  return async (req, res, next) => {
    const r = await stores.rateLimit('api-ip', req.ip ?? 'unknown', perMinute, 60_000);
    if (!r.allowed) return void tooMany(res, r.resetAt, 'ip');
    next();
  };
}

export function rateLimitByPrincipal(stores: Stores, perMinute: number): RequestHandler {
  return async (req, res, next) => {
    const p = req.principal;
    if (!p) return next();
    const r = await stores.rateLimit('api-user', `${p.via}:${p.id}`, perMinute, 60_000);
    res.set('RateLimit-Remaining', String(r.remaining));
    if (!r.allowed) return void tooMany(res, r.resetAt, 'user');
    next();
  };
}

function tooMany(res: Response, resetAt: number, scope: 'ip' | 'user'): void {
  res.locals.rateLimited = scope;
  const secs = Math.max(1, Math.ceil((resetAt - Date.now()) / 1000));
  res.set('Retry-After', String(secs)).status(429).json({ error: 'rate_limited', message: `Too many requests; try again in ${secs} s.` });
}
