import { randomBytes } from 'node:crypto';
import { createLogger, createStores, SANDBOX_ENCRYPTION_KEY, type Stores } from '@engagement-tracker/core';
import type { Redis } from 'ioredis';

export const silentLog = createLogger('admin-api-test', (process.env.TEST_LOG ?? 'silent') as 'silent');

export function testStores(redis: Redis, now?: () => number): Stores {
  return createStores(redis, { prefix: `t${randomBytes(4).toString('hex')}`, encryptionKey: SANDBOX_ENCRYPTION_KEY, now });
}

export async function waitFor<T>(probe: () => Promise<T> | T, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
