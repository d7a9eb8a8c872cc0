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
    if (again.stats.tokenBusy) {
      // Skipped members make the run partial (exit 4): the next run comes back for them.
      expect(again).toMatchObject({ status: 'partial', exitCode: 4 });
      expect(again.stats.membersSkipped).toBeGreaterThan(0);
      // The dead run still held a member's token-refresh lock: that member was skipped, not failed.
      // Let the lock's TTL pass (30 s in production) and run once more.
      const locks = await redis.keys(s.stores.keys.wmRefresh('*'));
      expect(locks.length).toBeGreaterThan(0);
      await redis.del(...locks);
      expect((await s.run()).status).toBe('succeeded');
    } else {
      expect(again.status).toBe('succeeded');
    }
    // A refresh that X granted while the connection was down is lost with it (refresh tokens are
    // single use): those few members must reconnect, and their likes wait for that.
    const reconnect = new Set<string>();
    for (const c of await s.stores.connections.listLinked()) if (c.status === 'needs_reconnect') reconnect.add(c.xUserId);
    expect(reconnect.size).toBeLessThanOrEqual(8);
    const truth = new Set([...s.sc.truth()].filter((k) => !(k.endsWith('|like') && reconnect.has(k.split('|')[1]!))));
    const r = score(truth, await s.awarded());
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
    expect((await s.stores.ledger.checkConsistency()).drift).toEqual([]);
  });
});
