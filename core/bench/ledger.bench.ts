/**
 * Ledger benchmarks against a real redis-server (AOF, fsync everysec as in production):
 *  1. award throughput for 100,000 engagements: the product (chunks of AWARD_CHUNK per atomic Lua
 *     call) vs a naive baseline with one round trip per award (the same script, one engagement a call);
 *  2. award throughput with one running season (season board, multiplier and caps in the same Lua call)
 *     vs the same awards with no season, and vs the award script as it was before seasons (a frozen copy in
 *     bench/baseline), the three sides taking turns in alternating order on an emptied server each run (best
 *     and median of BENCH_SEASON_ROUNDS, default 6, each; wall time and the Redis main thread's CPU), same
 *     process and server;
 *  3. leaderboard read latency with 100,000 members: top 10 + the caller's rank from the sorted sets
 *     vs a naive baseline that reads every member's total and sorts.
 * Both sides run in the same process on the same server, one after the other.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AWARD_CHUNK, createStores, DEFAULT_RULES, isoWeek, ruleCells, utcDay, type Engagement, type Stores } from '../src';
import { startRedisServer } from '../src/testing';
import { emit, summarize, time } from './stats';

const ENGAGEMENTS = Number(process.env.BENCH_ENGAGEMENTS ?? 100_000);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const KEY = 'b'.repeat(64);
/** Rounds of the season comparison (each side, interleaved, best of): more rounds see through a busy machine. */
const SEASON_ROUNDS = Number(process.env.BENCH_SEASON_ROUNDS ?? 6);

async function seed(stores: Stores, members: number, tweets: number): Promise<void> {
  const p = stores.ctx.redis.pipeline();
  const now = Date.now();
  for (let i = 0; i < members; i++) {
    p.hset(stores.keys.member(`m${i}`), 'discordId', `m${i}`, 'displayName', `Member ${i}`, 'tier', 1 + (i % 3), 'totalPoints', 0, 'joinedAt', now);
    p.zadd(stores.keys.members(), now, `m${i}`);
    p.hset(stores.keys.connection(`m${i}`), 'discordId', `m${i}`, 'xUserId', `x${i}`, 'handle', `member${i}`, 'status', 'linked');
  }
  for (let t = 0; t < tweets; t++) {
    p.hset(stores.keys.tweet(`t${t}`), 'tweetId', `t${t}`, 'status', 'active', 'submitterId', 'nobody', 'authorId', 'nobody');
  }
  await p.exec();
}

function engagements(n: number, members: number, tweets: number): Engagement[] {
  const kinds = ['like', 'retweet', 'reply', 'quote'] as const;
  return Array.from({ length: n }, (_, i) => ({ tweetId: `t${i % tweets}`, discordId: `m${Math.floor(i / tweets) % members}`, kind: kinds[Math.floor(i / (tweets * members)) % 4]! }));
}

/** The award script before seasons (benchmark baseline only): its keys and arguments, as its caller built them. */
const BEFORE_SEASONS_LUA = readFileSync(new URL('./baseline/awardEngagements-before-seasons.lua', import.meta.url), 'utf8');

async function awardBeforeSeasons(stores: Stores, sha: string, batchId: string, list: Engagement[]): Promise<number> {
  const { keys, redis } = stores.ctx;
  const at = Date.now();
  const week = isoWeek(at);
  const cells = ruleCells();
  const fixedKeys = [
    keys.batchLock(), keys.leaderboardAllTime(), keys.leaderboardWeeks(), keys.pointsDaily(), keys.batchLogs(batchId),
    keys.bans(), keys.heldOpen(), keys.tweetsChanged(), keys.leaderboardWeekly(week), ...cells.map(({ tier, kind }) => keys.rule(tier, kind)),
  ];
  const fixedArgs = [batchId, '', at, week, utcDay(at), JSON.stringify(cells.map(({ tier, kind }) => `${tier}-${kind}`)),
    JSON.stringify(Object.fromEntries(cells.map(({ tier, kind }) => [`${tier}-${kind}`, DEFAULT_RULES[tier][kind]])))];
  let awarded = 0;
  for (let i = 0; i < list.length; i += AWARD_CHUNK) {
    const callKeys = [...fixedKeys];
    const args: Array<string | number> = [...fixedArgs];
    for (const e of list.slice(i, i + AWARD_CHUNK)) {
      args.push(e.tweetId, e.discordId, e.kind, '');
      callKeys.push(keys.tweet(e.tweetId), keys.member(e.discordId), keys.connection(e.discordId), keys.log(`award:${e.tweetId}:${e.discordId}:${e.kind}`),
        keys.userLogs(e.discordId), keys.tweetLogs(e.tweetId), keys.held(e.tweetId, e.discordId, e.kind), keys.userHeld(e.discordId));
    }
    awarded += ((await redis.evalsha(sha, callKeys.length, ...callKeys, ...args)) as number[])[0]!;
  }
  return awarded;
}

async function main(): Promise<void> {
  const server = await startRedisServer({ fsync: 'everysec' });
  try {
    const redis = server.client();
    const mk = () => createStores(redis, { prefix: `bench${randomBytes(3).toString('hex')}`, encryptionKey: KEY });
    const tweets = 300;
    const members = Math.ceil(ENGAGEMENTS / tweets);
    const list = engagements(ENGAGEMENTS, members, tweets);

    // Award throughput: product (chunked) vs baseline (one engagement per call = one round trip each).
    const product = mk();
    await seed(product, members, tweets);
    const p = await time(() => product.ledger.award({ batchId: 'bench', engagements: list }));
    const baseline = mk();
    await seed(baseline, members, tweets);
    const b = await time(async () => {
      let awarded = 0;
      for (const e of list) awarded += (await baseline.ledger.award({ batchId: 'bench', engagements: [e] })).awarded;
      return awarded;
    });
    emit({
      bench: 'ledger.award', engagements: ENGAGEMENTS, awarded: p.value.awarded,
      productMs: Math.round(p.ms), productPerSec: Math.round(ENGAGEMENTS / (p.ms / 1000)),
      baselineMs: Math.round(b.ms), baselinePerSec: Math.round(ENGAGEMENTS / (b.ms / 1000)),
      speedup: Math.round((b.ms / p.ms) * 10) / 10, rssMb: Math.round(process.memoryUsage().rss / 1e6),
    });
    if (b.value !== p.value.awarded) throw new Error('baseline and product awarded different counts');

    // Awards with one running season (multiplier + caps) vs none, and vs the award script before seasons, side
    // by side on the same server. Each run starts on an emptied server (no side inherits another's keys) and
    // the order alternates (ABC, CBA, ...), so no side always runs first or last on a warmer or busier
    // machine; next to wall time, the Redis main thread's CPU per run (INFO cpu), which a busy machine
    // disturbs less.
    const redisCpuMs = async (): Promise<number> => {
      const info = await redis.info('cpu');
      const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
      return (field('used_cpu_user_main_thread') + field('used_cpu_sys_main_thread')) * 1000;
    };
    type Side = 'none' | 'season' | 'beforeSeasons';
    const seasonRun = async (side: Side) => {
      await redis.flushall();
      const s = mk();
      await seed(s, members, tweets);
      if (side === 'season') await s.seasons.create({ name: 'Bench', startsAt: Date.now() - 3_600_000, endsAt: Date.now() + 86_400_000, multiplierPct: 150, capPerPost: 1_000, capPerDay: 100_000 }, 'bench');
      const sha = side === 'beforeSeasons' ? ((await redis.script('LOAD', BEFORE_SEASONS_LUA)) as string) : '';
      const cpu0 = await redisCpuMs();
      const run = await time(async () => (side === 'beforeSeasons' ? awardBeforeSeasons(s, sha, 'bench', list) : (await s.ledger.award({ batchId: 'bench', engagements: list })).awarded));
      if (run.value !== ENGAGEMENTS) throw new Error(`${side}: awarded ${run.value} of ${ENGAGEMENTS}`);
      return { ms: run.ms, cpuMs: (await redisCpuMs()) - cpu0 };
    };
    const runs: Record<Side, { ms: number; cpuMs: number }[]> = { none: [], season: [], beforeSeasons: [] };
    const order: Side[] = ['none', 'season', 'beforeSeasons'];
    for (let round = 0; round < SEASON_ROUNDS; round++) {
      for (const side of round % 2 ? [...order].reverse() : order) runs[side].push(await seasonRun(side));
    }
    const { none: plain, season: seasonal, beforeSeasons: before } = runs;
    const best = (runs: { ms: number; cpuMs: number }[], f: 'ms' | 'cpuMs') => Math.min(...runs.map((r) => r[f]));
    const median = (runs: { ms: number; cpuMs: number }[], f: 'ms' | 'cpuMs') => {
      const v = runs.map((r) => r[f]).sort((a, b) => a - b);
      return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };
    const pct = (a: number, b: number) => Math.round((a / b - 1) * 1000) / 10;
    const plainMs = best(plain, 'ms');
    const seasonMs = best(seasonal, 'ms');
    const beforeMs = best(before, 'ms');
    emit({
      bench: 'ledger.award.season', engagements: ENGAGEMENTS, rounds: SEASON_ROUNDS,
      noSeasonPerSec: Math.round(ENGAGEMENTS / (plainMs / 1000)), oneSeasonPerSec: Math.round(ENGAGEMENTS / (seasonMs / 1000)),
      slowdownPct: pct(seasonMs, plainMs), slowdownMedianPct: pct(median(seasonal, 'ms'), median(plain, 'ms')),
      redisCpuMs: { noSeason: Math.round(best(plain, 'cpuMs')), oneSeason: Math.round(best(seasonal, 'cpuMs')), beforeSeasons: Math.round(best(before, 'cpuMs')) },
      redisCpuSlowdownPct: pct(best(seasonal, 'cpuMs'), best(plain, 'cpuMs')),
      redisCpuSlowdownMedianPct: pct(median(seasonal, 'cpuMs'), median(plain, 'cpuMs')),
      withinTarget: seasonMs <= plainMs * 1.15 && median(seasonal, 'ms') <= median(plain, 'ms') * 1.15,
      // the second reading of the target: one season today vs the award script before seasons (no season)
      beforeSeasonsPerSec: Math.round(ENGAGEMENTS / (beforeMs / 1000)),
      vsBeforeSeasonsPct: pct(seasonMs, beforeMs), vsBeforeSeasonsMedianPct: pct(median(seasonal, 'ms'), median(before, 'ms')),
      redisCpuVsBeforeSeasonsPct: pct(best(seasonal, 'cpuMs'), best(before, 'cpuMs')),
      withinTargetVsBeforeSeasons: seasonMs <= beforeMs * 1.15 && median(seasonal, 'ms') <= median(before, 'ms') * 1.15,
    });

    // Leaderboard latency with MEMBERS members holding points.
    const lb = mk();
    const pipe = redis.pipeline();
    for (let i = 0; i < MEMBERS; i++) {
      const pts = Math.floor(Math.random() * 10_000);
      pipe.hset(lb.keys.member(`u${i}`), 'discordId', `u${i}`, 'totalPoints', pts, 'tier', 1);
      pipe.zadd(lb.keys.members(), i, `u${i}`);
      pipe.zadd(lb.keys.leaderboardAllTime(), pts, `u${i}`);
    }
    await pipe.exec();
    const productSamples: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const me = `u${Math.floor(Math.random() * MEMBERS)}`;
      productSamples.push((await time(() => Promise.all([lb.leaderboard.top({ board: 'alltime', limit: 10 }), lb.leaderboard.rank(me, { board: 'alltime' })]))).ms);
    }
    const baselineSamples: number[] = [];
    for (let i = 0; i < 10; i++) {
      baselineSamples.push(
        (
          await time(async () => {
            const ids = await redis.zrange(lb.keys.members(), 0, '-1');
            const q = redis.pipeline();
            for (const id of ids) q.hget(lb.keys.member(id), 'totalPoints');
            const totals = ((await q.exec()) ?? []).map(([, v], i) => [ids[i]!, Number(v)] as const);
            totals.sort((x, y) => y[1] - x[1]);
            return totals.slice(0, 10);
          })
        ).ms,
      );
    }
    const ps = summarize(productSamples);
    const bs = summarize(baselineSamples);
    emit({ bench: 'leaderboard.read', members: MEMBERS, product: ps, baseline: bs, speedupP50: Math.round((bs.p50Ms / ps.p50Ms) * 10) / 10 });
  } finally {
    await server.stop();
  }
}

await main();
