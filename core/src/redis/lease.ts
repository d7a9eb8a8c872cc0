import { randomUUID } from 'node:crypto';
import type { RedisClient } from './connection';
import type { ScriptRunner } from './script-loader';

/** What the work under a lease can ask: whether it still holds it (a renewal found it gone or taken). */
export interface Lease {
  readonly lost: boolean;
}

/**
 * Run `fn` only while this process holds `key` (SET NX PX with a random token), across processes.
 * The lease is extended every third of `ttlMs` while `fn` runs and released after it, both only if
 * the token still matches (named scripts extendIfValue / deleteIfValue). A process that dies keeps
 * it at most `ttlMs`. Returns `{ ran: false }` when another holder has it.
 */
export async function withLease<T>(
  ctx: { redis: RedisClient; run: ScriptRunner },
  key: string,
  ttlMs: number,
  fn: (lease: Lease) => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false }> {
  const token = `${process.pid}-${randomUUID()}`;
  if ((await ctx.redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return { ran: false };
  const state = { lost: false };
  const renew = setInterval(() => {
    ctx.run('extendIfValue', [key], [token, String(ttlMs)]).then(
      (ok) => {
        if (Number(ok) !== 1) state.lost = true;
      },
      // A renewal that cannot reach Redis says nothing yet; the next one (or the expiry) decides.
      () => undefined,
    );
  }, Math.max(1, Math.floor(ttlMs / 3)));
  renew.unref();
  try {
    return { ran: true, value: await fn(state) };
  } finally {
    clearInterval(renew);
    await ctx.run('deleteIfValue', [key], [token]).catch(() => undefined);
  }
}
