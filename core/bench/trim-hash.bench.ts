/**
 * trimHashByAge benchmark against a real redis-server: the batch trims three watermark hashes
 * (likemoved, postsmoved, refused) after writing them, every run. For hashes of BENCH_TRIM_SIZES fields
 * (1% of them older than the cutoff), the time of one run's three trims:
 *  - before: each trim read the whole hash in one HGETALL (the old code, kept here as the baseline);
 *  - first: the product's first trim of a period (HSCAN in batches, old fields dropped batch by batch);
 *  - within the hour: the product's later trims of the same period (one GET of the mark, no read).
 * Both sides run in the same process on the same server, taking turns, BENCH_TRIM_ROUNDS rounds each
 * (median and best). One JSON line per size.
 */
import { createStores, trimHashByAge, type RedisClient } from '../src';
import { startRedisServer } from '../src/testing';
import { emit, summarize, time } from './stats';

const SIZES = (process.env.BENCH_TRIM_SIZES ?? '3000,30000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_TRIM_ROUNDS ?? 9);
const DAY = 86_400_000;
const NOW = 100 * DAY;
const CUTOFF = NOW - 8 * DAY;
const HASHES = ['likemoved', 'postsmoved', 'refused'];

/** The code before: one HGETALL of the whole hash per call. */
async function trimBefore(redis: RedisClient, key: string, cutoff: number): Promise<number> {
  const h = await redis.hgetall(key);
  const old = Object.entries(h).filter(([, v]) => !(Number(v) >= cutoff)).map(([k]) => k);
  if (old.length) await redis.hdel(key, ...old);
  return old.length;
}

async function fill(redis: RedisClient, key: string, size: number): Promise<void> {
  await redis.del(key);
  for (let i = 0; i < size; i += 5000) {
    const args: Array<string | number> = [];
    for (let j = i; j < Math.min(size, i + 5000); j++) args.push(`2124837272355416${String(j).padStart(3, '0')}`, j % 100 === 0 ? NOW - 9 * DAY : NOW - (j % 48) * 3_600_000);
    await redis.hset(key, ...args);
  }
}

async function main(): Promise<void> {
  const server = await startRedisServer({ aof: false });
  try {
    const stores = createStores(server.client(), { prefix: 'bench', encryptionKey: 'b'.repeat(64) });
    const redis = stores.ctx.redis;
    const keys = HASHES.map((h) => `bench:trim:${h}`);
    for (const size of SIZES) {
      const before: number[] = [];
      const first: number[] = [];
      const later: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        // The old way: one run's three trims.
        for (const k of keys) await fill(redis, k, size);
        before.push((await time(async () => { for (const k of keys) await trimBefore(redis, k, CUTOFF); })).ms);
        // The product: a run that trims (first of the hour), then a run within the hour.
        for (const k of keys) await fill(redis, k, size);
        for (const h of HASHES) await redis.del(stores.keys.wmTrimmed(h));
        const once = (h: string, now: number) => ({ markKey: stores.keys.wmTrimmed(h), everyMs: 3_600_000, now });
        first.push((await time(async () => { for (const [i, k] of keys.entries()) await trimHashByAge(redis, k, CUTOFF, Number, { once: once(HASHES[i]!, NOW) }); })).ms);
        later.push((await time(async () => { for (const [i, k] of keys.entries()) await trimHashByAge(redis, k, CUTOFF, Number, { once: once(HASHES[i]!, NOW + 30 * 60_000) }); })).ms);
      }
      const s = { before: summarize(before), first: summarize(first), later: summarize(later) };
      const best = (xs: number[]) => Math.round(Math.min(...xs) * 1000) / 1000;
      // Runs every 30 minutes: of two runs in an hour, one trims and one does not.
      const perHourBefore = 2 * s.before.p50Ms;
      const perHourAfter = s.first.p50Ms + s.later.p50Ms;
      emit({
        bench: 'trimHashByAge', fields: size, hashes: HASHES.length, rounds: ROUNDS,
        beforeMs: { p50: s.before.p50Ms, best: best(before) },
        firstOfHourMs: { p50: s.first.p50Ms, best: best(first) },
        withinHourMs: { p50: s.later.p50Ms, best: best(later) },
        perHourAt30MinRunsMs: { before: Math.round(perHourBefore * 100) / 100, after: Math.round(perHourAfter * 100) / 100 },
      });
    }
  } finally {
    await server.stop();
  }
}

await main();
