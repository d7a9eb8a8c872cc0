import { randomBytes } from 'node:crypto';
import type { StoreContext } from './context';

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  /** Epoch ms when the next hit will be allowed again (the oldest hit leaves the window). */
  resetAt: number;
}

/** Sliding-window limits for user actions (submissions per day, API calls per minute). */
export function createRateLimiter(ctx: StoreContext) {
  return async (scope: string, id: string, limit: number, windowMs: number): Promise<RateLimitResult> => {
    const now = ctx.now();
    const [allowed, count, resetIn] = (await ctx.run('rateLimit', [ctx.keys.rateLimit(scope, id, windowMs)], [now, limit, windowMs, `${now}-${randomBytes(4).toString('hex')}`])) as number[];
    return { allowed: allowed === 1, remaining: Math.max(0, limit - count!), resetAt: now + resetIn! };
  };
}
