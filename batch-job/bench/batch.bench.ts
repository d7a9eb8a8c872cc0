/**
 * npm run bench:batch — the product's planner against the naive per-post strategy, side by side in
 * one process, on seeded communities served by the X API double, with two references computed from
 * the scenario's truth (a lower bound and an omniscient strategy, see references.ts). One JSON line
 * per scenario and strategy (with cost per UTC day), one line per scenario with every run's cost next
 * to the references, then one line checking the targets.
 *   BENCH_SCENARIOS=realistic,idle  BENCH_STRATEGIES=planner  to run a subset.
 *   BENCH_REFERENCES_ONLY=1  to compute only the references (no batch runs, no X double): minutes, not hours.
 *   BENCH_NODE_OPTIONS='--max-old-space-size=128'  to run the batch process under a heap cap.
 *   BENCH_RUNNER=scheduler  to run every run of a scenario in one long-lived batch process.
 *
 * The batch process is what the image runs: the bundled JavaScript on plain node (bundle-runner.ts)
 * with the node memory flags of the image's ENTRYPOINT,
 * one process per run as the CronJob starts one, with no heap cap (this process's NODE_OPTIONS is not
 * passed on; `heapLimitMb` is the limit they ran under); `rssMb` is the largest resident set any of
 * them reached (sampled every 25 ms), `heapMb` the largest V8 heap in use.
 */
import { randomBytes } from 'node:crypto';
import { createStores, type Stores } from '@engagement-tracker/core';
import { startRedisServer } from '@engagement-tracker/core/testing';
import { buildRealistic, buildScenario, ENDPOINT_LIMITS, memberDiscordId, RateLimiter, seedStores, startXDouble, utcDay, type EndpointName, type LimitOverrides, type RecordedRequest, type Scenario, type ScenarioOptions } from '@engagement-tracker/sandbox/x';
import type { Redis } from 'ioredis';
import { bundleRunner, imageMemoryFlags, startBundledRunner, type Runner, type RunnerResult } from './bundle-runner';
import { CostBreakdown, type Breakdown } from './breakdown';
import { References, WINDOW_MS } from './references';
import { referenceLines, stamp, targets, usd, type NoOracleAt, type ReferenceLine, type Row, type StrategyLine } from './report';

const HOUR = 3_600_000;
const MIN = 60_000;

interface BenchScenario {
  scenario?: Omit<ScenarioOptions, 'end'>;
  /** Builds the community instead of `scenario`. */
  build?: (end: number) => Scenario;
  end: number;
  /** Simulated times of the runs; only runs at index >= measureFrom count. */
  runs: number[];
  measureFrom?: number;
  limits?: LimitOverrides;
  /**
   * After the measured runs, keep running every `every` ms for `for` ms (nothing measured but what they
   * bill, `drainUsd`) so that engagement a run may leave for later (members with few new likes wait,
   * at most until the post is about to leave the window) is counted: recall is measured after them, and
   * `recallAtEnd` right after the measured runs.
   */
  drain?: { every: number; for: number };
}

const noon = Date.UTC(2026, 10, 24, 12, 0, 0);
const lateNight = Date.UTC(2026, 10, 24, 23, 40, 0);
const every = (from: number, step: number, n: number) => Array.from({ length: n }, (_, i) => from + i * step);

const realisticEnd = Date.UTC(2026, 10, 28, 0, 30, 0);
const realisticRunEvery = Number(process.env.BENCH_RUN_EVERY_MIN ?? 60) * MIN;

const SCENARIOS: Record<string, BenchScenario> = {
  // The headline: 1,000 members who like and post thousands of distinct untracked things (30 days of
  // history first), 120 tracked posts a day for 4 days, runs every hour across three UTC midnights.
  realistic: {
    build: (end) => buildRealistic({ seed: 11, end, days: 4 }),
    end: realisticEnd,
    runs: every(realisticEnd - 4 * 24 * HOUR + 6 * HOUR, realisticRunEvery, Math.floor((4 * 24 * HOUR - 6 * HOUR) / realisticRunEvery) + 1),
    drain: { every: realisticRunEvery, for: 24 * HOUR },
  },
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

/** `planner-replies`: the planner with every reply rule on, to price the reply checks against `planner`. */
type Strategy = 'planner' | 'naive' | 'planner-replies';

/** The reply rules the `planner-replies` runs apply: every check on. */
const BENCH_REPLY_RULES = { replies: { minWords: 3, minChars: 10, duplicateThreshold: 0.85, blockedPhrases: ['follow back', 'free airdrop', 'dm me', 'check my profile', 'giveaway'] } };

/** A strategy's bench line: what the targets read (StrategyLine: perDay is billed USD per UTC day of the measured runs,
 * estimateMaxErrorPct the largest gap between a run's costUsd estimate and the double's bill, heapLimitMb the smallest
 * V8 heap limit the batch processes ran under, node's default unless BENCH_NODE_OPTIONS caps it), and more. */
interface Line extends StrategyLine {
  strategy: Strategy;
  runs: number;
  billedLikes: number;
  wallMs: number;
  /** Peak V8 heap in use in the batch process. */
  heapMb: number;
  statuses?: string[];
  refused?: number;
  truth: number;
  /** Awards the scenario's truth does not count (first 10), with what the scenario knows of them. */
  falsePositives?: Array<ReturnType<typeof explainAward>>;
  /** Engagements the truth counts that were not awarded (first 10), and how many of each kind. */
  missed?: Array<ReturnType<typeof explainAward>>;
  missedByKind?: Record<string, number>;
  /** With a drain: recall right after the measured runs (engagement left for later runs still pending), and what the drain runs billed. */
  recallAtEnd?: number;
  drainUsd?: number;
  /** Where the money went per UTC day (measured runs): USD by reason and by endpoint (see breakdown.ts). */
  breakdown?: Record<string, { reasons: Breakdown; endpoints: Breakdown }>;
  /** planner-replies: time the reply checks took inside the runs, and what they held back */
  moderationMs?: number;
  held?: number;
}

interface RunCost {
  at: string;
  billed: number;
  estimate?: number;
  omniscient?: number;
  lowerBound?: number;
  streams?: number;
  noOracle?: number;
  /** USD by reason (see breakdown.ts). */
  why?: Breakdown;
}

let runnerFile: ReturnType<typeof bundleRunner> | undefined;

/** A batch process of the bundle with the image's node memory flags; with no heap cap unless BENCH_NODE_OPTIONS gives one. */
async function startRunner(): Promise<Runner> {
  runnerFile ??= bundleRunner();
  return startBundledRunner((await runnerFile).file, [...imageMemoryFlags(), ...(process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean)]);
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

async function runScenario(redis: Redis, redisUrl: string, name: string, def: BenchScenario, strategy: Strategy, withReferences: boolean): Promise<{ line: Line; runs: RunCost[]; references: References | null }> {
  const sc = def.build ? def.build(def.end) : buildScenario({ ...def.scenario, end: def.end });
  sc.state.accessTokenTtlMs = 7 * 24 * HOUR;
  const references = withReferences ? new References(sc) : null;
  const breakdown = def.build ? new CostBreakdown(sc) : null;
  // The naive strategy is measured unthrottled (its full cost); rateLimited then counts what X's
  // limits would have refused. In the ratelimited scenario both run under the same low limits.
  const limits = def.limits ?? (strategy === 'naive' ? UNLIMITED : undefined);
  const x = await startXDouble({ state: sc.state, ...(limits ? { limits } : {}) });
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  // Posts are recorded as submitted when the scenario's member submitted them (seedStores moves this clock).
  let submittedAt: number | undefined;
  const stores: Stores = createStores(redis, { prefix, encryptionKey: 'c'.repeat(64), now: () => submittedAt ?? sc.now() });
  if (strategy === 'planner-replies') await stores.moderation.update(BENCH_REPLY_RULES, 'bench');
  // As the CronJob does, every run is a process of its own (its memory is that run's); with
  // BENCH_RUNNER=scheduler one process does every run of the scenario, as `batch-job schedule` does.
  const longLived = process.env.BENCH_RUNNER === 'scheduler';
  let runner = longLived ? await startRunner() : null;
  let moderationMs = 0;
  const measureFrom = def.measureFrom ?? 0;
  let base = { requests: 0, r429: 0 };
  let wallMs = 0;
  let rss = 0;
  let heap = 0;
  let heapLimitMb = Infinity;
  let refused = 0;
  let estimateMaxErrorPct = 0;
  const statuses: string[] = [];
  const runs: RunCost[] = [];
  const perDay: Record<string, number> = {};
  const totals = { posts: 0, users: 0, likes: 0 };
  const measured: { requests?: number; atEnd?: Awaited<ReturnType<typeof score>>; drainUsd?: number } = {};
  const byDiscord = new Map(sc.members.map((m, i) => [memberDiscordId(i), m.id]));
  /** The times runs were made so far (the truth counts what some run could have seen while the post was tracked). */
  const runTimes: number[] = [];
  /** The ledger's awards against the scenario's truth now. */
  const score = async () => {
    const truth = sc.truth(sc.now(), { windowMs: WINDOW_MS, runs: runTimes });
    const got = new Set<string>();
    const awardedAt = new Map<string, number>();
    for (const p of sc.tracked) {
      for (const l of await stores.ledger.logsForTweet(p.tweet.id)) {
        if (l.source !== 'award') continue;
        const key = `${l.tweetId}|${byDiscord.get(l.discordId)}|${l.kind}`;
        got.add(key);
        awardedAt.set(key, l.createdAt);
      }
    }
    return { truth, got, awardedAt, hit: [...got].filter((k) => truth.has(k)).length };
  };
  // The runs to come are the batch's schedule (as BATCH_SCHEDULE tells a CronJob's run): the measured runs, then the drain.
  const schedule = [...def.runs, ...(def.drain ? Array.from({ length: Math.floor(def.drain.for / def.drain.every) }, (_, k) => def.runs.at(-1)! + (k + 1) * def.drain!.every) : [])];
  /** Run `i` at `t` over the stores seeded for then (a fresh runner each run unless long-lived). */
  const runAt = async (t: number, i: number): Promise<RunnerResult> => {
    sc.advanceTo(t);
    await seedStores(stores, sc, t, { submitAt: (at) => (submittedAt = at) });
    runner ??= await startRunner();
    heapLimitMb = Math.min(heapLimitMb, runner.heapLimitMb);
    const out = await runner.run({ strategy: strategy === 'naive' ? 'naive' : 'planner', now: sc.now(), index: i, prefix, redisUrl, xUrl: x.url, schedule });
    if (!longLived) {
      await runner.stop();
      runner = null;
    }
    runTimes.push(t);
    return out;
  };
  try {
    for (let i = 0; i < def.runs.length; i++) {
      const t = def.runs[i]!;
      if (i === measureFrom) base = { requests: x.requests.length, r429: x.requests.filter((r) => r.status === 429).length };
      const from = x.requests.length;
      const out = await runAt(t, i);
      const ref = references?.step(t);
      if (process.env.BENCH_PROGRESS) process.stderr.write(`${name} ${strategy} ${i + 1}/${def.runs.length} ${out.status} ${new Date(t).toISOString()} rss<=${out.rssMb} MB heap<=${out.heapMb} MB\n`);
      if (strategy !== 'naive') statuses.push(out.status);
      if (out.error && process.env.BENCH_PROGRESS) process.stderr.write(`  ${out.error.slice(0, 400)}\n`);
      refused += out.refused;
      rss = Math.max(rss, out.rssMb);
      heap = Math.max(heap, out.heapMb);
      if (i < measureFrom) continue;
      wallMs += out.wallMs;
      moderationMs += out.moderationMs;
      let billed = 0;
      for (const r of x.requests.slice(from)) {
        billed += r.costUsd;
        totals.posts += r.billedPosts;
        totals.users += r.billedUsers;
        totals.likes += r.billedLikes;
      }
      const day = utcDay(t);
      perDay[day] = (perDay[day] ?? 0) + billed;
      const why = breakdown?.run(t, x.requests.slice(from)).reasons;
      if (out.costUsd !== undefined && billed > 0.05) estimateMaxErrorPct = Math.max(estimateMaxErrorPct, Math.abs(out.costUsd - billed) / billed * 100);
      runs.push({ at: stamp(t), billed: usd(billed), ...(out.costUsd !== undefined ? { estimate: usd(out.costUsd) } : {}), ...(ref ? { omniscient: usd(ref.omniscient), lowerBound: usd(ref.lowerBound), streams: usd(ref.streams) } : {}), ...(why ? { why } : {}) });
    }
    measured.requests = x.requests.length - base.requests;
    if (def.drain) {
      measured.atEnd = await score();
      const from = x.requests.length;
      for (let i = def.runs.length; i < schedule.length; i++) {
        const out = await runAt(schedule[i]!, i);
        if (strategy !== 'naive') statuses.push(out.status);
        rss = Math.max(rss, out.rssMb);
      }
      measured.drainUsd = x.requests.slice(from).reduce((a, r) => a + r.costUsd, 0);
    }
  } finally {
    await runner?.stop();
    await x.close();
  }
  const { truth, got, awardedAt, hit } = await score();
  const falsePositives = [...got].filter((k) => !truth.has(k)).slice(0, 10).map((k) => explainAward(sc, k, awardedAt.get(k)));
  const missedKeys = [...truth].filter((k) => !got.has(k));
  const missed = missedKeys.slice(0, 10).map((k) => explainAward(sc, k, undefined));
  const line: Line = {
    scenario: name,
    strategy,
    runs: def.runs.length - measureFrom,
    requests: measured.requests ?? x.requests.length - base.requests,
    billedPosts: totals.posts,
    billedUsers: totals.users,
    billedLikes: totals.likes,
    costUsd: usd(Object.values(perDay).reduce((a, b) => a + b, 0)),
    perDay: Object.fromEntries(Object.entries(perDay).map(([d, v]) => [d, usd(v)])),
    recall: truth.size ? Math.round((hit / truth.size) * 10_000) / 10_000 : 1,
    precision: got.size ? Math.round((hit / got.size) * 10_000) / 10_000 : 1,
    rateLimited: limits === UNLIMITED ? wouldBeRefused(x.requests.slice(base.requests)) : x.requests.filter((r) => r.status === 429).length - base.r429,
    wallMs: Math.round(wallMs),
    rssMb: rss,
    heapMb: heap,
    heapLimitMb,
    ...(strategy !== 'naive' ? { statuses: compact(statuses), estimateMaxErrorPct: Math.round(estimateMaxErrorPct * 10) / 10 } : { refused }),
    truth: truth.size,
    ...(measured.atEnd ? { recallAtEnd: measured.atEnd.truth.size ? Math.round((measured.atEnd.hit / measured.atEnd.truth.size) * 10_000) / 10_000 : 1, drainUsd: usd(measured.drainUsd ?? 0) } : {}),
    ...(falsePositives.length ? { falsePositives } : {}),
    ...(missed.length ? { missed, missedByKind: Object.fromEntries(['like', 'retweet', 'reply', 'quote'].map((k) => [k, missedKeys.filter((m) => m.endsWith(`|${k}`)).length])) } : {}),
    ...(breakdown ? { breakdown: breakdown.perDay() } : {}),
    ...(strategy === 'planner-replies' ? { moderationMs: Math.round(moderationMs), held: await stores.review.count() } : {}),
  };
  return { line, runs, references };
}

/** What the scenario knows of an engagement awarded or missed against the truth (to tell a wrong truth from a wrong award). */
function explainAward(sc: Scenario, key: string, awardedAt: number | undefined) {
  const [tweetId, userId] = key.split('|') as [string, string];
  const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));
  const member = sc.members.findIndex((m) => m.id === userId);
  const post = sc.tracked.find((p) => p.tweet.id === tweetId);
  const events = sc.memberEvents.filter((e) => e.tweetId === tweetId && e.userId === userId).map((e) => ({ kind: e.kind, at: iso(e.at) }));
  return {
    key, ...(awardedAt !== undefined ? { awardedAt: iso(awardedAt) } : {}), linkedAt: iso(sc.linkTime(member)), events,
    post: post && { author: post.tweet.authorId, submitter: sc.members[post.submitter]?.id, createdAt: iso(post.tweet.createdAt), submittedAt: iso(post.submittedAt) },
  };
}

/** ["succeeded x90", "partial x1"] instead of 91 entries. */
function compact(statuses: string[]): string[] {
  const n = new Map<string, number>();
  for (const s of statuses) n.set(s, (n.get(s) ?? 0) + 1);
  return [...n].map(([s, k]) => (k > 1 ? `${s} x${k}` : s));
}

async function main() {
  const only = process.env.BENCH_SCENARIOS?.split(',').map((s) => s.trim()).filter(Boolean);
  const server = await startRedisServer();
  const redis = server.client();
  const lines: Array<Line | ReferenceLine> = [];
  const firstRuns = new Map<string, Row[]>();
  const referencesOnly = !!process.env.BENCH_REFERENCES_ONLY;
  const emit = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  try {
    for (const [name, def] of Object.entries(SCENARIOS)) {
      if (only && !only.includes(name)) continue;
      if (referencesOnly) {
        if (!def.build) continue;
        const { lines: refLines, rows } = referencesAlone(name, def);
        for (const l of refLines) {
          lines.push(l);
          emit(l);
        }
        firstRuns.set(name, rows.filter((r) => r.at.slice(6, 8) === '00'));
        emit({ scenario: name, perRun: rows });
        continue;
      }
      const perRun: Record<string, RunCost[]> = {};
      let refs: References | null = null;
      // standard also runs with every reply rule on, interleaved with plain planner runs (twice each: the
      // machine is noisy), to price the reply checks side by side in the same process.
      const order: Strategy[] = name === 'standard' ? ['planner', 'naive', 'planner-replies', 'planner', 'planner-replies'] : ['planner', 'naive'];
      const replyPricing: Line[] = [];
      for (const strategy of order) {
        if (process.env.BENCH_STRATEGIES && !process.env.BENCH_STRATEGIES.split(',').includes(strategy)) continue;
        const out = await runScenario(redis, server.url, name, def, strategy, !refs && !!def.build);
        const { line, runs } = out;
        refs ??= out.references;
        if (strategy !== 'naive') replyPricing.push(line);
        if (!perRun[strategy]) {
          lines.push(line);
          perRun[strategy] = runs;
        }
        emit(line);
        await redis.flushdb();
      }
      const checked = replyPricing.filter((l) => l.strategy === 'planner-replies');
      if (checked.length) {
        const plain = replyPricing.filter((l) => l.strategy === 'planner').map((l) => l.wallMs);
        const wall = checked.reduce((a, l) => a + l.wallMs, 0);
        const spent = checked.reduce((a, l) => a + (l.moderationMs ?? 0), 0);
        emit({
          bench: 'batch.replyChecks', scenario: name, plannerWallMs: plain, withReplyRulesWallMs: checked.map((l) => l.wallMs),
          replyChecksMs: checked.map((l) => l.moderationMs), held: checked.map((l) => l.held),
          replyChecksPctOfWall: Math.round((spent / Math.max(1, wall)) * 1000) / 10,
          under5Pct: spent <= 0.05 * wall,
        });
      }
      let noOracleAt: NoOracleAt = new Map();
      if (refs) {
        const measured = new Set(Object.keys((lines.find((l) => l.scenario === name && 'recall' in l) as Line).perDay));
        const out = referenceLines(name, refs, measured);
        noOracleAt = out.noOracleAt;
        for (const l of out.lines) {
          lines.push(l);
          emit(l);
        }
      }
      const planner = perRun.planner ?? [];
      const naive = perRun.naive ?? [];
      const rows: Row[] = planner.map((r, i) => ({
        at: r.at, planner: r.billed, estimate: r.estimate, naive: naive[i]?.billed, omniscient: r.omniscient, lowerBound: r.lowerBound, streams: r.streams,
        ...noOracleAt.get(r.at), ...(r.why ? { why: r.why } : {}),
      }));
      firstRuns.set(name, rows.filter((r) => r.at.slice(6, 8) === '00'));
      emit({ scenario: name, perRun: rows });
    }
  } finally {
    redis.disconnect();
    await server.stop();
    (await runnerFile)?.remove();
  }
  emit(targets(lines, firstRuns.get('realistic') ?? []));
}

/** BENCH_REFERENCES_ONLY: the scenario advanced run by run with only the references computed (no batch, no X double). */
function referencesAlone(name: string, def: BenchScenario): { lines: ReferenceLine[]; rows: Row[] } {
  const sc = def.build!(def.end);
  const refs = new References(sc);
  const steps = def.runs.map((t) => {
    sc.advanceTo(t);
    return { at: stamp(t), ...refs.step(t) };
  });
  const { lines, noOracleAt } = referenceLines(name, refs);
  const rows = steps.map((r) => ({ at: r.at, omniscient: usd(r.omniscient), lowerBound: usd(r.lowerBound), streams: usd(r.streams), ...noOracleAt.get(r.at) }));
  return { lines, rows };
}

await main();
