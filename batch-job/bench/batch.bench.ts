/**
 * npm run bench:batch — the product's planner against the naive per-post strategy, side by side in
 * one process, on seeded communities served by the X API double. One JSON line per scenario and
 * strategy, then one line checking the targets.
 *   BENCH_SCENARIOS=standard,idle  BENCH_STRATEGIES=planner  to run a subset.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createStores, type Stores } from '@engagement-tracker/core';
import { startRedisServer } from '@engagement-tracker/core/testing';
import { buildScenario, ENDPOINT_LIMITS, memberDiscordId, RateLimiter, seedStores, startXDouble, type EndpointName, type LimitOverrides, type RecordedRequest, type ScenarioOptions } from '@engagement-tracker/sandbox/x';
import type { Redis } from 'ioredis';

const HOUR = 3_600_000;
const MIN = 60_000;

interface BenchScenario {
  scenario: Omit<ScenarioOptions, 'end'>;
  end: number;
  /** Simulated times of the runs; only runs at index >= measureFrom count. */
  runs: number[];
  measureFrom?: number;
  limits?: LimitOverrides;
}

const noon = Date.UTC(2026, 10, 24, 12, 0, 0);
const lateNight = Date.UTC(2026, 10, 24, 23, 40, 0);
const every = (from: number, step: number, n: number) => Array.from({ length: n }, (_, i) => from + i * step);

const SCENARIOS: Record<string, BenchScenario> = {
  // 1,000 members, 300 posts over 24 h, skewed engagement; a run every 30 minutes for the last 3 h.
  standard: { scenario: { seed: 1, members: 1000, tweets: 300 }, end: noon, runs: every(noon - 3 * HOUR, 30 * MIN, 7) },
  // One post by a member, 50,000 likes from non-members.
  viral: {
    scenario: {
      seed: 2, members: 200, tweets: 1, hours: 6, ownPostShare: 1, meanDelayMs: 60 * MIN,
      memberRates: { like: 40, retweet: 8, reply: 5, quote: 2 }, outsiderRates: { like: 50_000, retweet: 1_000, reply: 300, quote: 100 },
    },
    end: noon,
    runs: every(noon - HOUR, 30 * MIN, 3),
  },
  // The standard community after a quiet spell: the measured run (next UTC day) finds nothing new.
  idle: { scenario: { seed: 3, members: 1000, tweets: 300, quietAfterEnd: true }, end: lateNight, runs: [lateNight - HOUR, lateNight - 30 * MIN, lateNight, lateNight + 30 * MIN], measureFrom: 3 },
  // Limits low enough to force partial runs; follow-ups every 15 minutes; recall counted after them.
  ratelimited: {
    scenario: { seed: 4, members: 300, tweets: 60, quietAfterEnd: true },
    end: noon,
    runs: every(noon, 15 * MIN, 8),
    limits: {
      users_lookup: { app: 1 }, liked_tweets: { user: 1 }, user_tweets: { app: 20, user: 1 },
      tweets_lookup: { app: 1 }, retweeted_by: { app: 5 }, quote_tweets: { app: 5 }, search_recent: { app: 5 }, liking_users: { user: 1 },
    },
  },
};

type Strategy = 'planner' | 'naive' | 'planner-replies';

/** The reply rules the `planner-replies` runs apply (every check on), to price them against `planner`. */
const BENCH_REPLY_RULES = { replies: { minWords: 3, minChars: 10, duplicateThreshold: 0.85, blockedPhrases: ['follow back', 'free airdrop', 'dm me', 'check my profile', 'giveaway'] } };

interface Line {
  scenario: string;
  strategy: Strategy;
  runs: number;
  requests: number;
  billedPosts: number;
  billedUsers: number;
  costUsd: number;
  recall: number;
  precision: number;
  rateLimited: number;
  wallMs: number;
  rssMb: number;
  /** Peak V8 heap in use in the batch process. */
  heapMb: number;
  statuses?: string[];
  refused?: number;
  truth: number;
  /** planner-replies: time spent in the moderation checks at award time, and what they held back */
  moderationMs?: number;
  held?: number;
}

/** A batch process (bench/runner.ts) that runs one strategy on the simulated clock. */
interface RunnerResult {
  status: string;
  refused: number;
  moderationMs: number;
  wallMs: number;
  rssMb: number;
  heapMb: number;
}

async function startRunner(): Promise<{ run(msg: object): Promise<RunnerResult>; stop(): void }> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'runner.ts'), [], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_NODE_OPTIONS ?? '--max-old-space-size=128 --max-semi-space-size=4').split(' ').filter(Boolean)], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`bench runner exited with ${code}`)));
  });
  return {
    run: (msg) =>
      new Promise((resolve, reject) => {
        child.once('message', (raw) => {
          const m = raw as RunnerResult & { type: string; error?: string };
          if (m.type === 'error') reject(new Error(m.error));
          else resolve(m);
        });
        child.send({ type: 'run', ...msg });
      }),
    stop: () => child.send({ type: 'exit' }),
  };
}

/** How many of these requests X's default limits would have refused (for the unthrottled naive runs). */
function wouldBeRefused(requests: RecordedRequest[]): number {
  const limiter = new RateLimiter();
  let n = 0;
  for (const r of requests) {
    if (!(r.endpoint in ENDPOINT_LIMITS)) continue;
    const who = r.auth === 'user' ? 'user' : 'app';
    if (!limiter.take(r.endpoint as EndpointName, who, r.userId ?? 'app', r.at).allowed) n++;
  }
  return n;
}

const UNLIMITED: LimitOverrides = Object.fromEntries(Object.keys(ENDPOINT_LIMITS).map((k) => [k, { app: 1e9, user: 1e9 }]));

async function runScenario(redis: Redis, redisUrl: string, name: string, def: BenchScenario, strategy: Strategy): Promise<Line> {
  const sc = buildScenario({ ...def.scenario, end: def.end });
  sc.state.accessTokenTtlMs = 7 * 24 * HOUR;
  // The naive strategy is measured unthrottled (its full cost); rateLimited then counts what X's
  // limits would have refused. In the ratelimited scenario both run under the same low limits.
  const limits = def.limits ?? (strategy === 'naive' ? UNLIMITED : undefined);
  const x = await startXDouble({ state: sc.state, ...(limits ? { limits } : {}) });
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  const stores: Stores = createStores(redis, { prefix, encryptionKey: 'c'.repeat(64), now: () => sc.now() });
  if (strategy === 'planner-replies') await stores.moderation.update(BENCH_REPLY_RULES, 'bench');
  const runner = await startRunner();
  const measureFrom = def.measureFrom ?? 0;
  let moderationMs = 0;
  let base = { requests: 0, posts: 0, users: 0, r429: 0 };
  let wallMs = 0;
  let rss = 0;
  let heap = 0;
  let refused = 0;
  const statuses: string[] = [];
  try {
    for (let i = 0; i < def.runs.length; i++) {
      const t = def.runs[i]!;
      sc.advanceTo(t);
      await seedStores(stores, sc, t);
      if (i === measureFrom) {
        const b = x.billing.summary();
        base = { requests: x.requests.length, posts: b.posts, users: b.users, r429: x.requests.filter((r) => r.status === 429).length };
      }
      const out = await runner.run({ strategy: strategy === 'naive' ? 'naive' : 'planner', now: sc.now(), index: i, prefix, redisUrl, xUrl: x.url });
      if (strategy !== 'naive') statuses.push(out.status);
      refused += out.refused;
      if (i >= measureFrom) {
        wallMs += out.wallMs;
        moderationMs += out.moderationMs;
      }
      rss = Math.max(rss, out.rssMb);
      heap = Math.max(heap, out.heapMb);
    }
  } finally {
    runner.stop();
    await x.close();
  }
  const truth = sc.truth();
  const byDiscord = new Map(sc.members.map((m, i) => [memberDiscordId(i), m.id]));
  const got = new Set<string>();
  for (const p of sc.tracked) {
    for (const l of await stores.ledger.logsForTweet(p.tweet.id)) if (l.source === 'award') got.add(`${l.tweetId}|${byDiscord.get(l.discordId)}|${l.kind}`);
  }
  const hit = [...got].filter((k) => truth.has(k)).length;
  const b = x.billing.summary();
  const posts = b.posts - base.posts;
  const users = b.users - base.users;
  return {
    scenario: name,
    strategy,
    runs: def.runs.length - measureFrom,
    requests: x.requests.length - base.requests,
    billedPosts: posts,
    billedUsers: users,
    costUsd: Math.round((posts * 0.005 + users * 0.01) * 100) / 100,
    recall: truth.size ? Math.round((hit / truth.size) * 10_000) / 10_000 : 1,
    precision: got.size ? Math.round((hit / got.size) * 10_000) / 10_000 : 1,
    rateLimited: limits === UNLIMITED ? wouldBeRefused(x.requests.slice(base.requests)) : x.requests.filter((r) => r.status === 429).length - base.r429,
    wallMs: Math.round(wallMs),
    rssMb: rss,
    heapMb: heap,
    ...(strategy === 'naive' ? { refused } : { statuses }),
    truth: truth.size,
    ...(strategy === 'planner-replies' ? { moderationMs, held: await stores.review.count() } : {}),
  };
}

async function main() {
  const only = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim()).filter(Boolean);
  const server = await startRedisServer();
  const redis = server.client();
  const lines: Line[] = [];
  const replicas: Line[] = [];
  try {
    for (const [name, def] of Object.entries(SCENARIOS)) {
      if (only && !only.includes(name)) continue;
      // standard also runs with every reply rule on, interleaved with plain runs (twice each: the
      // machine is noisy), to price the checks side by side.
      const order: Strategy[] = name === 'standard' ? ['planner', 'naive', 'planner-replies', 'planner', 'planner-replies'] : ['planner', 'naive'];
      const seen = new Set<Strategy>();
      for (const strategy of order) {
        if (process.env.BENCH_STRATEGIES && !process.env.BENCH_STRATEGIES.split(',').includes(strategy)) continue;
        const line = await runScenario(redis, server.url, name, def, strategy);
        if (!seen.has(strategy)) lines.push(line);
        else replicas.push(line);
        seen.add(strategy);
        process.stdout.write(`${JSON.stringify(line)}\n`);
        await redis.flushdb();
      }
    }
  } finally {
    redis.disconnect();
    await server.stop();
  }
  // The checks' own time (measured inside each run) against the run's wall time decides; the wall
  // times of plain and checked runs are printed too, with the spread of the plain runs: on a busy
  // machine that spread is far larger than 5%, so their difference alone proves nothing.
  const runsOf = (strategy: Strategy) => [...lines, ...replicas].filter((l) => l.scenario === 'standard' && l.strategy === strategy).sort((a, b) => a.wallMs - b.wallMs);
  const off = runsOf('planner');
  const on = runsOf('planner-replies');
  if (off.length && on.length) {
    const pct = (a: number, b: number) => Math.round((a / b) * 1000) / 10;
    const checkSharePct = Math.max(...on.map((l) => pct(l.moderationMs ?? 0, l.wallMs)));
    process.stdout.write(`${JSON.stringify({
      bench: 'replyChecks', scenario: 'standard', wallMsOff: off.map((l) => l.wallMs), wallMsOn: on.map((l) => l.wallMs),
      wallOverheadPctFastest: pct(on[0]!.wallMs - off[0]!.wallMs, off[0]!.wallMs), plainRunsSpreadPct: pct(off.at(-1)!.wallMs - off[0]!.wallMs, off[0]!.wallMs),
      checkMs: on.map((l) => l.moderationMs), checkSharePct, repliesHeld: on.map((l) => l.held), under5pct: checkSharePct < 5,
    })}\n`);
  }
  const get = (s: string, k: 'planner' | 'naive') => lines.find((l) => l.scenario === s && l.strategy === k);
  const std = get('standard', 'planner');
  const stdNaive = get('standard', 'naive');
  const idle = get('idle', 'planner');
  const planners = lines.filter((l) => l.strategy === 'planner');
  const check = {
    check: 'targets',
    recallPrecision100: planners.every((l) => l.recall === 1 && l.precision === 1),
    standardCostRatio: std && stdNaive && stdNaive.costUsd ? Math.round((std.costUsd / stdNaive.costUsd) * 10_000) / 10_000 : null,
    standardCostAtMostTenthOfNaive: std && stdNaive ? std.costUsd * 10 <= stdNaive.costUsd : null,
    idleOnlyMetricsLookups: idle ? idle.requests <= Math.ceil(300 / 100) && idle.billedUsers === 0 && idle.billedPosts <= 300 : null,
    noRefusedExceptRatelimited: planners.filter((l) => l.scenario !== 'ratelimited').every((l) => l.rateLimited === 0),
    standardUnder60sAnd256Mb: std ? std.wallMs < 60_000 && std.rssMb < 256 : null,
  };
  process.stdout.write(`${JSON.stringify(check)}\n`);
}

await main();
