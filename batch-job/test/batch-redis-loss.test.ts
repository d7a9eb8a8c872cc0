import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { score, SIM_END, startSim, type Sim } from './harness';

let server: TestRedisServer;
let redis: Redis;
let s: Sim;

beforeAll(async () => {
  server = await startRedisServer({ aof: true, fsync: 'always' });
  redis = server.client();
  redis.on('error', () => {});
});
afterAll(async () => {
  await s?.close();
  await server?.stop();
});

describe('Redis lost mid-run', () => {
  it('a rerun after Redis was killed during a run awards everything exactly once', async () => {
    s = await startSim(redis, { seed: 37, members: 60, tweets: 12, quietAfterEnd: true });
    await s.advanceTo(SIM_END);
    // Slow X down while Redis is killed and restarted under the run.
    s.x.fail({ endpoint: 'liked_tweets', delayMs: 400, count: 8 });
    const running = s.run({ lockTtlMs: 1000, heartbeatMs: 200 });
    // wait until the run is reading members' likes (held up by the delay)
    for (let i = 0; i < 500 && !s.x.requestsTo('liked_tweets').length; i++) await new Promise((r) => setTimeout(r, 10));
    // The connection drops for good under the run (no reconnect), then Redis itself is killed
    // and restarted from its append-only file.
    redis.disconnect(false);
    await server.restart({ hard: true });
    const first = await running.catch((err: unknown) => ({ status: 'crashed', error: String(err) }));
    await redis.connect();
    expect(['failed', 'crashed']).toContain(first.status);
    // The lock of a crashed run expires by itself; wait for that rather than break it.
    for (let i = 0; i < 40 && (await s.stores.batches.lockHolder()); i++) await new Promise((r) => setTimeout(r, 100));
    const again = await s.run();
    expect(again.status).toBe('succeeded');
    const r = score(s.sc.truth(), await s.awarded());
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
    expect((await s.stores.ledger.checkConsistency()).drift).toEqual([]);
  });
});
