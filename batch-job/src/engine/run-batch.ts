import type { Logger } from 'pino';
import { withSpan, type BatchStatus, type BatchTrigger, type Connection, type Stores, type TrackedTweet, type XClientFactory } from '@engagement-tracker/core';
import type { RunContext } from './context';
import { StopRun } from './errors';
import { planRun, type Plan } from './planner';
import { RunStats } from './stats';
import { award } from './steps/award';
import { lookupMetrics } from './steps/lookup-metrics';
import { memberSweep } from './steps/member-sweep';
import { readTweetSide } from './steps/tweet-side';
import { MemberTokens } from './tokens';
import { WatermarkStore } from './watermarks';
import { XGateway } from './x-gateway';

/** Exit codes of `batch-job run`. */
export const EXIT_CODES = { succeeded: 0, failed: 1, locked: 3, partial: 4 } as const;

export interface BatchDeps {
  stores: Stores;
  x: XClientFactory;
  logger: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface BatchOptions {
  trigger: BatchTrigger;
  dryRun?: boolean;
  /** Only this tracked post (it must exist). */
  tweetId?: string;
  /** Posts submitted within this window are tracked (default 24 h). */
  windowMs?: number;
  /** Stop as partial after this many distinct billed posts + users (0 = no cap). */
  maxBilledResources?: number;
  /** Stop as partial after this long (0 = no cap). */
  maxWallMs?: number;
  /** Kubernetes Job name, for the admin API's job watcher. */
  jobName?: string;
  lockTtlMs?: number;
  heartbeatMs?: number;
  concurrency?: number;
  retries?: number;
  backoffMs?: number;
  /** Pages of 100 read from a member's likes the first time (their likes before linking). */
  firstScanMaxPages?: number;
  signal?: AbortSignal;
}

export type BatchOutcomeStatus = Exclude<BatchStatus, 'running'> | 'locked';

export interface BatchOutcome {
  runId: string;
  status: BatchOutcomeStatus;
  exitCode: number;
  stats: Record<string, number>;
  error?: string;
  plan?: Plan;
  /** When partial because of a rate limit: when the window reopens. */
  resumeAt?: number;
}

export const DEFAULT_WINDOW_MS = 24 * 3_600_000;

/**
 * One batch run: take the lock, read what changed on X at the lowest cost, award through the
 * ledger with the run's id and lock fence, and record the run (status, progress, stats) as it goes.
 */
export async function runBatch(deps: BatchDeps, opts: BatchOptions): Promise<BatchOutcome> {
  const { stores, logger } = deps;
  const now = deps.now ?? Date.now;
  const lockTtlMs = opts.lockTtlMs ?? 60_000;
  const started = now();

  const reaped = await stores.batches.reapStale(Math.max(2 * lockTtlMs, 120_000));
  if (reaped.length) logger.warn({ runs: reaped }, 'marked runs that stopped reporting as failed');

  const run = await stores.batches.create({ trigger: opts.trigger, dryRun: opts.dryRun ?? false, ...(opts.jobName ? { jobName: opts.jobName } : {}) });
  const log = logger.child({ runId: run.id });
  const lock = await stores.batches.acquireLock(run.id, lockTtlMs);
  if (!lock) {
    const holder = await stores.batches.lockHolder();
    const error = `Another batch run (${holder?.runId ?? 'unknown'}) holds the batch lock; this run did nothing.`;
    await stores.batches.finish(run.id, 'failed', { error });
    log.warn({ holder: holder?.runId }, 'batch lock held');
    return { runId: run.id, status: 'locked', exitCode: EXIT_CODES.locked, stats: {}, error };
  }

  const stats = new RunStats();
  const abort = new AbortController();
  opts.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  let progress = { done: 0, total: 0, phase: 'starting' };
  let lostLock = false;
  const beat = async () => {
    if (!(await stores.batches.renewLock(run.id, lock.fence, lockTtlMs))) {
      lostLock = true;
      abort.abort();
    }
    await stores.batches.heartbeat(run.id, progress, stats.toJSON());
  };
  const timer = setInterval(() => void beat().catch((err: unknown) => log.warn({ err }, 'heartbeat failed')), opts.heartbeatMs ?? 5_000);
  timer.unref();

  const wm = new WatermarkStore(stores.ctx.redis, stores.keys.prefix);
  const gw = new XGateway({
    now, maxBilledResources: opts.maxBilledResources ?? 0, deadlineAt: opts.maxWallMs ? started + opts.maxWallMs : 0,
    retries: opts.retries ?? 3, backoffMs: opts.backoffMs ?? 500, signal: abort.signal, ...(deps.sleep ? { sleep: deps.sleep } : {}),
  }, stats);
  const ctx: RunContext = {
    runId: run.id, dryRun: opts.dryRun ?? false, now, windowStart: now() - (opts.windowMs ?? DEFAULT_WINDOW_MS),
    stores, wm, x: deps.x, gw, stats, logger: log,
    tokens: new MemberTokens({ stores, wm, x: deps.x, now, stats, logger: log, ...(deps.sleep ? { sleep: deps.sleep } : {}) }),
    tracked: new Map(), members: new Map(), byXUserId: new Map(), found: [], unread: new Set(), skipped: 0, pendingScope: new Set(), narrowed: !!opts.tweetId,
    concurrency: opts.concurrency ?? 8, firstScanMaxPages: opts.firstScanMaxPages ?? 10,
    progress: (phase, done, total) => {
      progress = { phase, done, total };
    },
  };

  let status: Exclude<BatchStatus, 'running'> = 'succeeded';
  let error: string | undefined;
  let plan: Plan | undefined;
  let resumeAt: number | undefined;
  let awarded = false;
  try {
    await withSpan('batch.load', {}, () => loadWork(ctx, opts));
    const metrics = await withSpan('batch.metrics', { tweets: ctx.tracked.size }, () => lookupMetrics(ctx));
    const ids = [...ctx.tracked.keys()].filter((id) => metrics.has(id));
    const tweetMarks = await wm.tweetMarks(ids);
    const conns = [...ctx.members.values()];
    const memberMarks = await wm.memberMarks(conns.map((c) => c.discordId));
    const activity = [...memberMarks.values()].map((m) => m.activity).filter((a) => a > 0);
    const day = new Date(now()).toISOString().slice(0, 10);
    plan = planRun({
      now: now(),
      tweets: ids.map((id) => {
        const t = ctx.tracked.get(id)!;
        const author = ctx.byXUserId.get(t.authorId);
        const prev = tweetMarks.get(id)?.metrics;
        return { tweetId: id, createdAt: t.createdAt, ...(prev ? { prev } : {}), now: metrics.get(id)!, authorCanListLikes: author?.status === 'linked' };
      }),
      members: conns.length,
      lookupBilledToday: (await wm.lookupDay()) === day,
      itemsPerScan: activity.length ? activity.reduce((a, b) => a + b, 0) / activity.length : 5,
      activeMembers: activity.length,
      remaining: {
        liking_users: Infinity,
        retweeted_by: gw.remaining('retweeted_by', 'app'),
        quote_tweets: gw.remaining('quote_tweets', 'app'),
        search_recent: gw.remaining('search_recent', 'app'),
        users_lookup: gw.remaining('users_lookup', 'app'),
      },
    });
    stats.set('tweetsChanged', new Set(Object.values(plan.changed).flat()).size);
    log.info({ likes: plan.likes, posts: plan.posts, changed: stats.get('tweetsChanged'), estimate: plan.estimate }, 'plan');

    let marks = new Map(ids.map((id) => [id, metrics.get(id)!]));
    if (plan.memberLookup) {
      if (!ctx.dryRun) await wm.setLookupDay(day);
      const p = plan;
      const snapshot = await withSpan('batch.members', { likes: p.likes, posts: p.posts, members: conns.length }, () => memberSweep(ctx, p, conns, memberMarks, metrics));
      marks = new Map(ids.filter((id) => snapshot.has(id)).map((id) => [id, snapshot.get(id)!]));
    } else if (!ctx.dryRun) {
      await wm.clearSweep();
    }
    const reads = plan.tweetReads;
    if (reads.length) await withSpan('batch.posts_side', { reads: reads.length }, () => readTweetSide(ctx, reads));
    ctx.progress('award', 0, 1);
    awarded = true;
    await withSpan('batch.award', {}, () => award(ctx, lock.fence));
    if (ctx.skipped) {
      // Keep the post watermarks so the next run comes back for the members skipped here.
      status = 'partial';
      error = `${ctx.skipped} member(s) skipped: their X token was being refreshed by another process; the next run covers them.`;
      stats.set('membersSkipped', ctx.skipped);
    } else if (!ctx.dryRun) {
      for (const id of ctx.unread) marks.delete(id);
      await wm.saveTweetMarks(marks);
    }
  } catch (err) {
    if (err instanceof StopRun && !lostLock) {
      status = 'partial';
      error = err.message;
      resumeAt = err.resumeAt;
      stats.set(`stopped_${err.reason}`, 1);
      log.warn({ reason: err.reason, resumeAt: err.resumeAt }, 'run stopped early; the next run resumes here');
      if (!awarded) {
        try {
          await award(ctx, lock.fence);
        } catch (awardErr) {
          status = 'failed';
          error = `${err.message}; then awarding failed: ${(awardErr as Error).message}`;
        }
      }
    } else {
      status = 'failed';
      error = lostLock ? 'This run lost the batch lock (another run took over); it stopped without awarding more.' : (err as Error).message;
      stats.inc('errors');
      log.error({ err }, 'batch run failed');
    }
  } finally {
    clearInterval(timer);
  }
  stats.set('wallMs', now() - started);
  try {
    await stores.batches.finish(run.id, status, { stats: stats.toJSON(), ...(error ? { error } : {}) });
    await stores.batches.releaseLock(run.id, lock.fence);
  } catch (err) {
    log.error({ err }, 'could not record the end of the run (it will be reaped as failed)');
    status = 'failed';
    error ??= (err as Error).message;
  }
  log.info({ status, stats: stats.toJSON() }, 'batch run finished');
  return { runId: run.id, status, exitCode: EXIT_CODES[status], stats: stats.toJSON(), ...(error ? { error } : {}), ...(plan ? { plan } : {}), ...(resumeAt ? { resumeAt } : {}) };
}

async function loadWork(ctx: RunContext, opts: BatchOptions): Promise<void> {
  // Banned members earn nothing: the run never reads X for them (it costs money).
  const banned = new Set(await ctx.stores.bans.ids());
  const conns: Connection[] = (await ctx.stores.connections.listLinked()).filter((c) => !banned.has(c.discordId));
  for (const c of conns) {
    ctx.members.set(c.discordId, c);
    ctx.byXUserId.set(c.xUserId, c);
  }
  let tweets: TrackedTweet[];
  if (opts.tweetId) {
    const t = await ctx.stores.tweets.get(opts.tweetId);
    if (!t) throw new Error(`No tracked post ${opts.tweetId}`);
    tweets = t.status === 'active' ? [t] : [];
    for (const w of await ctx.stores.tweets.listInWindow(ctx.windowStart, ctx.now())) ctx.pendingScope.add(w.tweetId);
  } else {
    tweets = await ctx.stores.tweets.listInWindow(ctx.windowStart, ctx.now());
  }
  for (const t of tweets) {
    ctx.tracked.set(t.tweetId, t);
    ctx.pendingScope.add(t.tweetId);
  }
  ctx.windowStart = Math.min(ctx.windowStart, ...tweets.map((t) => t.createdAt));
  ctx.stats.set('tweetsTracked', tweets.length);
  ctx.stats.set('membersLinked', conns.length);
  ctx.stats.set('membersBanned', banned.size);
}
