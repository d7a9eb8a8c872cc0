import { createStores } from '@engagement-tracker/core';
import { startRedisServer } from '@engagement-tracker/core/testing';
import { buildRealistic, seedStores, startXDouble } from '@engagement-tracker/sandbox/x';
import { bundleRunner, startBundledRunner } from './bundle-runner';

const HOUR = 3_600_000;
const end = Date.UTC(2026, 10, 28, 0, 30, 0);
const first = end - 4 * 24 * HOUR + 6 * HOUR;
const flagsList = (process.env.FLAGS ?? '').split('|');
const server = await startRedisServer();
const redis = server.client();
const bundle = await bundleRunner();
for (const flags of flagsList) {
  const sc = buildRealistic({ seed: 11, end, days: 4 });
  sc.state.accessTokenTtlMs = 7 * 24 * HOUR;
  const x = await startXDouble({ state: sc.state });
  const prefix = `m${Math.random().toString(36).slice(2, 8)}`;
  let submittedAt: number | undefined;
  const stores = createStores(redis, { prefix, encryptionKey: 'c'.repeat(64), now: () => submittedAt ?? sc.now() });
  const out: unknown[] = [];
  for (const t of [first, first + HOUR]) {
    sc.advanceTo(t);
    await seedStores(stores, sc, t, { submitAt: (at) => (submittedAt = at) });
    const r = await startBundledRunner(bundle.file, flags.split(' ').filter(Boolean));
    const res = await r.run({ strategy: 'planner', now: sc.now(), index: 0, prefix, redisUrl: server.url, xUrl: x.url, schedule: Array.from({ length: 115 }, (_, k) => first + k * HOUR) });
    await r.stop();
    out.push({ rss: res.rssMb, heap: res.heapMb, status: res.status, cost: res.costUsd, wall: Math.round(res.wallMs) });
  }
  console.log(JSON.stringify({ flags, out }));
  await x.close();
  await redis.flushdb();
}
redis.disconnect();
await server.stop();
bundle.remove();
