/**
 * Admin API latency with 100,000 members and 10,000 tweets (real redis-server, real HTTP, session
 * cookie as the console sends it). For each endpoint: p50/p99 over sequential requests, printed as
 * one JSON line, side by side with a baseline in the same process: the same store query called
 * directly (no HTTP, auth, rate limit, validation or presentation), i.e. what the API adds on top.
 * Target: p99 < 50 ms for the leaderboard and tweets list endpoints.
 */
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, createStores, SANDBOX_ENCRYPTION_KEY, type Engagement, type Stores } from '@engagement-tracker/core';
import { startRedisServer } from '@engagement-tracker/core/testing';
import { createApp } from '../src/app';
import { ApiTokenStore } from '../src/auth/api-token-store';
import { SessionStore } from '../src/auth/session-store';
import { loadAdminApiConfig } from '../src/config';
import type { BatchLauncher } from '../src/runs/launcher';
import { ManualRuns } from '../src/runs/manual-runs';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const TWEETS = Number(process.env.BENCH_TWEETS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const TARGET_P99_MS = 50;
const CATEGORIES = ['launch', 'community', 'partners', 'memes'];

const emit = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
const round = (x: number) => Math.round(x * 100) / 100;
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  return { p50: round(at(50)), p99: round(at(99)) };
}
async function measure(fn: () => Promise<unknown>, n = SAMPLES): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < Math.min(30, n); i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return stats(out);
}
async function inParallel<T>(items: T[], width: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function seed(stores: Stores): Promise<void> {
  const t0 = performance.now();
  const ids = Array.from({ length: MEMBERS }, (_, i) => String(300000000000000000n + BigInt(i)));
  await inParallel(ids, 200, async (id) => {
    const i = Number(BigInt(id) - 300000000000000000n);
    await stores.connections.link({ discordId: id, displayName: `Member ${i}`, xUserId: String(700000000000000000n + BigInt(i)), handle: `member_${i}`, scopes: ['tweet.read'], tokens: { accessToken: `a${i}`, expiresAt: Date.now() + 7_200_000, scopes: [] } });
  });
  const tiers = stores.ctx.redis.pipeline();
  for (let i = 0; i < MEMBERS; i += 3) tiers.hset(stores.keys.member(ids[i]!), 'tier', 1 + (i % 3));
  await tiers.exec();
  const tweetIds = Array.from({ length: TWEETS }, (_, i) => String(1950000000000000000n + BigInt(i)));
  await inParallel(tweetIds, 200, async (tid) => {
    const i = Number(BigInt(tid) - 1950000000000000000n);
    await stores.tweets.submit({ tweetId: tid, url: `https://x.com/member_${i}/status/${tid}`, authorId: String(700000000000000000n + BigInt(i % MEMBERS)), authorHandle: `member_${i % MEMBERS}`, submitterId: ids[i % MEMBERS]!, category: CATEGORIES[i % CATEGORIES.length]!, createdAt: Date.now() - i * 1000, text: `tweet ${i}` });
  });
  // Every member engages with a couple of tweets: 2 * MEMBERS awards through the ledger.
  const kinds = ['like', 'retweet', 'reply', 'quote'] as const;
  const engagements: Engagement[] = [];
  for (let i = 0; i < MEMBERS; i++) {
    engagements.push({ tweetId: tweetIds[(i * 7) % TWEETS]!, discordId: ids[i]!, kind: kinds[i % 4]! });
    engagements.push({ tweetId: tweetIds[(i * 13 + 1) % TWEETS]!, discordId: ids[i]!, kind: kinds[(i + 1) % 4]! });
  }
  const run = await stores.batches.create({ trigger: 'cli' });
  await stores.ledger.award({ batchId: run.id, engagements });
  await stores.batches.finish(run.id, 'succeeded');
  emit({ bench: 'api.seed', members: MEMBERS, linked: MEMBERS, tweets: TWEETS, awards: engagements.length, seconds: round((performance.now() - t0) / 1000) });
}

async function main(): Promise<void> {
  const server = await startRedisServer({ aof: false });
  const redis = server.client();
  const stores = createStores(redis, { prefix: `bench${randomBytes(3).toString('hex')}`, encryptionKey: SANDBOX_ENCRYPTION_KEY });
  const log = createLogger('admin-api-bench', 'silent');
  const config = loadAdminApiConfig({ SANDBOX: 'true', LOG_LEVEL: 'silent', API_RATE_LIMIT_PER_MINUTE: '10000000', ADMIN_WEB_DIST: '/nonexistent' });
  const noLaunch: BatchLauncher = { kind: 'local', jobNameFor: (id) => id, launch: async () => {}, close: async () => {} };
  const app = createApp({
    config,
    stores,
    log,
    sessions: new SessionStore(redis, stores.keys, 3_600_000, 43_200_000),
    tokens: new ApiTokenStore(redis, stores.keys),
    runs: new ManualRuns({ stores, launcher: noLaunch, log, guardMs: 1000 }),
  });
  const http = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  try {
    await seed(stores);
    const login = await fetch(`${base}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"core"}' });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers: { cookie } });
      if (res.status !== 200) throw new Error(`${path} -> ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    };
    const q = (o: Record<string, unknown>) => `?${new URLSearchParams(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, JSON.stringify(v)])))}`;
    const week = (await stores.leaderboard.weeks())[0]!;
    const cases: Array<{ endpoint: string; path: string; baseline: () => Promise<unknown>; target: boolean }> = [
      { endpoint: 'GET /api/leaderboard (all-time, first page)', path: `/api/leaderboard${q({ filter: { board: 'alltime' }, range: [0, 24] })}`, baseline: () => stores.leaderboard.top({ board: 'alltime', offset: 0, limit: 25 }), target: true },
      { endpoint: 'GET /api/leaderboard (all-time, page at rank 50,000)', path: `/api/leaderboard${q({ filter: { board: 'alltime' }, range: [50_000, 50_024] })}`, baseline: () => stores.leaderboard.top({ board: 'alltime', offset: 50_000, limit: 25 }), target: true },
      { endpoint: 'GET /api/leaderboard (weekly)', path: `/api/leaderboard${q({ filter: { board: 'weekly', week }, range: [0, 24] })}`, baseline: () => stores.leaderboard.top({ board: 'weekly', week, offset: 0, limit: 25 }), target: true },
      { endpoint: 'GET /api/tweets (newest first)', path: `/api/tweets${q({ sort: ['submittedAt', 'DESC'], range: [0, 24] })}`, baseline: () => stores.tweets.list({ offset: 0, limit: 25 }), target: true },
      { endpoint: 'GET /api/tweets (page 200)', path: `/api/tweets${q({ sort: ['submittedAt', 'DESC'], range: [5000, 5024] })}`, baseline: () => stores.tweets.list({ offset: 5000, limit: 25 }), target: true },
      { endpoint: 'GET /api/tweets (filter category, sort by points)', path: `/api/tweets${q({ sort: ['pointsAwarded', 'DESC'], range: [0, 24], filter: { category: 'launch' } })}`, baseline: () => stores.tweets.list({ offset: 0, limit: 25, sort: 'pointsAwarded', filter: { category: 'launch' } }), target: true },
      { endpoint: 'GET /api/members (by points)', path: `/api/members${q({ sort: ['totalPoints', 'DESC'], range: [0, 24] })}`, baseline: () => stores.members.list({ offset: 0, limit: 25, sort: 'totalPoints' }), target: false },
      { endpoint: 'GET /api/overview', path: '/api/overview', baseline: () => stores.tweets.count('active'), target: false },
    ];
    for (const c of cases) {
      const n = c.endpoint.includes('filter') || c.endpoint.includes('overview') ? Math.min(SAMPLES, 100) : SAMPLES;
      const api = await measure(() => get(c.path), n);
      const direct = await measure(c.baseline, n);
      emit({ bench: 'api', endpoint: c.endpoint, members: MEMBERS, tweets: TWEETS, n, p50Ms: api.p50, p99Ms: api.p99, baselineStoreP50Ms: direct.p50, baselineStoreP99Ms: direct.p99, ...(c.target ? { targetP99Ms: TARGET_P99_MS, pass: api.p99 < TARGET_P99_MS } : {}), loadAvg1m: round(loadavg()[0]!), cpus: cpus().length });
    }
  } finally {
    http.closeAllConnections();
    http.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
