import type { RedisClient } from '../connection';
import type { TokenCipher } from '../../crypto/token-cipher';
import type { Keys } from '../keys';
import type { ScriptRunner } from '../script-loader';

/** What every store needs: the connection, the key builder, the Lua runner and a clock. */
export interface StoreContext {
  redis: RedisClient;
  keys: Keys;
  run: ScriptRunner;
  now: () => number;
  cipher: TokenCipher;
}

export interface Page {
  offset?: number;
  limit?: number;
}

export interface PageResult<T> {
  items: T[];
  total: number;
}

/**
 * ZRANGE-style inclusive bounds of a page. An empty page (limit 0) gets start > stop, both
 * non-negative: `0, -1` would mean the whole set to Redis.
 */
export function pageBounds(page: Page, max = 1000): { start: number; stop: number } {
  const start = Math.max(0, Math.floor(page.offset ?? 0));
  const limit = Math.min(max, Math.max(0, Math.floor(page.limit ?? 25)));
  if (limit === 0) return { start: start + 1, stop: start };
  return { start, stop: start + limit - 1 };
}

export const int = (v: string | undefined | null, def = 0): number => (v == null || v === '' ? def : Number(v));

export function json<T>(v: string | undefined | null, def: T): T {
  if (!v) return def;
  try {
    return JSON.parse(v) as T;
  } catch {
    return def;
  }
}
