import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { isRedisUnavailable, withSpan, type BatchStatus, type BatchTrigger, type Connection, type MemberNotifier, type Stores, type TrackedTweet, type XClientFactory } from '@engagement-tracker/core';
import type { RunContext } from './context';
import { byWindowEnd, RATE_WINDOW_MS, sweepDoneBy } from './deadline';
import { dueBefore, dueHorizon, membersDue } from './due';
import { StopRun } from './errors';
import { planRun, reconnectLikeReads, type Plan, type PlanTweet } from './planner';
import { RunStats } from './stats';
import { award } from './steps/award';
import { lookupMetrics } from './steps/lookup-metrics';
import { readBeforeWindowEnd } from './steps/deadline-reads';
import { memberSweep, type SweepStopped } from './steps/member-sweep';
import { retryThrottled } from './steps/throttled';
import { readTweetSide } from './steps/tweet-side';
import { MemberTokens } from './tokens';
import { WatermarkStore } from './watermarks';
import { XGateway } from './x-gateway';

/**
 * Exit codes of `batch-job run`. A run that finds the lock held by a live run is `skipped`: it did
 * nothing because another run is doing the work, which is not a failure (exit 0; recorded as
 * `skipped`, kept out of failure counts and alerts).
 */
export const EXIT_CODES = { succeeded: 0, skipped: 0, failed: 1, partial: 4 } as const;

/** Points of a run a fault-injection hook can stop at (`onPhase`), in order. */
export const RUN_PHASES = ['lock', 'metrics', 'members', 'scan', 'search', 'tweets', 'award', 'awarded', 'finish', 'unlock'] as const;

export interface BatchDeps {
  stores: Stores;
  x: XClientFactory;
  logger: Logger;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Discord DMs to members (a member whose X grant died is told once to reconnect). */
  notify?: MemberNotifier;
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
  /** Lock expiry; default 12 heartbeats (60 s). */
  lockTtlMs?: number;
  /** Heartbeat (progress + lock renewal) interval; default 5 s. */
  heartbeatMs?: number;
  /**
   * A run silent this long is dead: its lock is taken over (fenced) and its record marked failed.
   * Default 4 heartbeats (20 s), well before the lock expires.
   */
  aliveMs?: number;
  /** A manual run recorded by the admin API whose program has not begun yet is dead only after this (default 10 min). */
  startGraceMs?: number;
  /** After Redis failed mid-run, how long to wait for it to come back to record the run's end (default 30 s). */
  endGraceMs?: number;
  /** Called when the run reaches each of RUN_PHASES (first time only); the fault suite stops the process there. */
  onPhase?: (phase: string) => void;
  concurrency?: number;
  retries?: number;
  backoffMs?: number;
  /** Pages of 100 read from a member's likes the first time (their likes before linking). */
  firstScanMaxPages?: number;
  /**
   * A member with only a few new likes, not read yet today, waits for a later run (their page would be
   * mostly likes already known, billed again on a fresh UTC day) until enough are new, or until a tracked
   * post whose likes moved since their likes were last known leaves the window before the next scheduled
   * run (`nextRunAt`), or, without a schedule, within this time (default 3 h: the runs between must come
   * within it). Their likes of tracked posts are then found later, but always before the post leaves the
   * window. The whole window or more: no member waits while a like may be new.
   */
  likesDueHorizonMs?: number;
  /**
   * A read skipped because the member's own X rate limit was used up is tried again in this run when
   * their window reopens within this time (default 60 s) and before the wall cap; otherwise the next run.
   */
  throttledWaitMs?: number;
  /**
   * USD a run stopped by a rate limit may spend reading the likes of members it has not reached, for
   * posts leaving the window before a later run could (default DEFAULT_DEADLINE_LIKES_BUDGET_USD).
   */
  deadlineLikesBudgetUsd?: number;
  /**
   * The first scheduled run at or after a time (from BATCH_SCHEDULE), so a throttled run knows which
   * posts leave the window before a later run comes. Unset: a run is assumed as soon as X's window reopens.
   */
  nextRunAt?: (after: number) => number;
  /** USD a run may spend reading likers of linked members' posts for members who must reconnect (default DEFAULT_RECONNECT_LIKES_BUDGET_USD). */
  reconnectLikesBudgetUsd?: number;
  signal?: AbortSignal;
  /** Record the run under this id (BATCH_RUN_ID), e.g. the record the admin API created for a manual run. */
  runId?: string;
}

export type BatchOutcomeStatus = Exclude<BatchStatus, 'running'>;

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
/** USD a throttled run may spend on likes reads for posts leaving the window (BATCH_DEADLINE_LIKES_BUDGET_USD). */
export const DEFAULT_DEADLINE_LIKES_BUDGET_USD = 2;
/** USD a run may spend on liking_users reads for members who must reconnect (BATCH_RECONNECT_LIKES_BUDGET_USD). */
export const DEFAULT_RECONNECT_LIKES_BUDGET_USD = 0.5;
/** How long a run waits for a member's X rate limit to reopen to read what it held back (see BatchOptions). */
export const DEFAULT_THROTTLED_WAIT_MS = 60_000;
/** How long before a tracked post leaves the window every member who may have liked it is read (see BatchOptions). */
export const DEFAULT_LIKES_DUE_HORIZON_MS = 3 * 3_600_000;

/** Save this run's refused reads against their member or post; clear those read fine this time. */
async function recordRefusals(ctx: RunContext, before: Record<string, { endpoint: string }>): Promise<void> {
  await ctx.wm.recordRefused([...ctx.refused, ...ctx.throttled], ctx.now(), ctx.runId);
  const now = new Set([...ctx.refused, ...ctx.throttled].map((r) => `${r.subject}:${r.id}`));
  // Read fine this run: the member's or post's reads, or the very read that was refused (`<key>|<endpoint>`).
  const readOk = (k: string) => ctx.readOk.has(k) || ctx.readOk.has(`${k}|${before[k]!.endpoint}`);
  const ok = (subject: 'member' | 'post') => Object.keys(before).filter((k) => k.startsWith(`${subject}:`) && !now.has(k) && readOk(k)).map((k) => k.slice(subject.length + 1));
  await ctx.wm.clearRefused('member', ok('member'));
  await ctx.wm.clearRefused('post', ok('post'));
}

/**
 * One batch run: take the lock, read what changed on X at the lowest cost, award through the
 * ledger with the run's id and lock fence, and record the run (status, progress, stats) as it goes.
 */
export async function runBatch(deps: BatchDeps, opts: BatchOptions): Promise<BatchOutcome> {
  const { stores, logger } = deps;
  const now = deps.now ?? Date.now;
  const heartbeatMs = opts.heartbeatMs ?? 5_000;
  const lockTtlMs = opts.lockTtlMs ?? 12 * heartbeatMs;
  const aliveMs = opts.aliveMs ?? 4 * heartbeatMs;
  const started = now();
  const seen = new Set<string>();
  const phase = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    opts.onPhase?.(name);
  };

  // A manual run's record exists already (the admin API wrote it before starting this program, and
  // gave its id as BATCH_RUN_ID): this run is that record. One that has ended is never run again.
  const existing = opts.runId ? await stores.batches.get(opts.runId) : null;
  if (existing && existing.status !== 'running') {
    const error = `Batch run ${existing.id} has already ended (${existing.status}); it is not run again.`;
    logger.error({ runId: existing.id, status: existing.status }, error);
    return { runId: existing.id, status: 'failed', exitCode: EXIT_CODES.failed, stats: {}, error };
  }
  // That record's trigger stands: a Job made from the CronJob (the console's "Run now") keeps the
  // template's BATCH_TRIGGER=schedule, but the admin API recorded it as manual.
  const run = await stores.batches.create({ ...(opts.runId ? { id: opts.runId } : {}), trigger: existing?.trigger ?? opts.trigger, dryRun: opts.dryRun ?? false, ...(opts.jobName ? { jobName: opts.jobName } : {}) });
  const log = logger.child({ runId: run.id });
  const lock = await stores.batches.acquireLock(run.id, lockTtlMs, { aliveMs });
  if (!lock) {
    const holder = await stores.batches.lockHolder();
    const error = `Skipped: batch run ${holder?.runId ?? '(unknown)'} holds the batch lock and is alive; this run did nothing.`;
    await stores.batches.finish(run.id, 'skipped', { error });
    log.info({ holder: holder?.runId }, 'batch lock held by a live run; skipped');
    return { runId: run.id, status: 'skipped', exitCode: EXIT_CODES.skipped, stats: {}, error };
  }
  if (lock.tookOver) log.warn({ from: lock.tookOver }, 'took the batch lock over from a run whose heartbeat stopped (marked failed)');
  let progress = { done: 0, total: 0, phase: 'lock' };
  await stores.batches.heartbeat(run.id, progress);
  // Every other run still "running" without a heartbeat is dead: mark it failed now, with the reason.
  const reaped = await stores.batches.reapStale(aliveMs, { except: run.id, startGraceMs: opts.startGraceMs ?? 600_000 });
  if (reaped.length) log.warn({ runs: reaped }, 'marked runs whose heartbeat stopped as failed');
  phase('lock');

  const stats = new RunStats();
  const abort = new AbortController();
  opts.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  let lostLock = false;
  let beating = false;
  const beat = async () => {
    if (beating) return; // a beat still waiting on Redis: never pile up more
    beating = true;
    try {
      const held = await stores.batches.renewLock(run.id, lock.fence, lockTtlMs);
      const recorded = held && (await stores.batches.heartbeat(run.id, progress, stats.toJSON()));
      if (!held || !recorded) {
        lostLock = true;
        abort.abort();
      }
    } finally {
      beating = false;
    }
  };
  const timer = setInterval(() => void beat().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'heartbeat failed')), heartbeatMs);
  timer.unref();

  const wm = new WatermarkStore(stores.ctx);
  const gw = new XGateway({
    now, maxBilledResources: opts.maxBilledResources ?? 0, deadlineAt: opts.maxWallMs ? started + opts.maxWallMs : 0,
    retries: opts.retries ?? 3, backoffMs: opts.backoffMs ?? 500, signal: abort.signal, ...(deps.sleep ? { sleep: deps.sleep } : {}),
    billNew: (day, kind, ids) => wm.billNew(day, kind, ids),
  }, stats);
  const ctx: RunContext = {
    runId: run.id, dryRun: opts.dryRun ?? false, now, windowStart: now() - (opts.windowMs ?? DEFAULT_WINDOW_MS), windowMs: opts.windowMs ?? DEFAULT_WINDOW_MS,
    refused: [], throttled: [], readOk: new Set(), retryMembers: new Set(), likesDueBefore: -Infinity, postsMovedAt: new Map(), postsKnownAt: new Map(), likesKnownAt: new Map(),
    stores, wm, x: deps.x, gw, stats, logger: log,
    tokens: new MemberTokens({ stores, wm, x: deps.x, now, stats, logger: log, ...(deps.sleep ? { sleep: deps.sleep } : {}), ...(deps.notify ? { notify: deps.notify } : {}) }),
    tracked: new Map(), members: new Map(), byXUserId: new Map(), found: [], unread: new Set(), skipped: 0, pendingScope: new Set(), narrowed: !!opts.tweetId,
    concurrency: opts.concurrency ?? 8, firstScanMaxPages: opts.firstScanMaxPages ?? 10, deadlineLikesBudgetUsd: opts.deadlineLikesBudgetUsd ?? DEFAULT_DEADLINE_LIKES_BUDGET_USD,
    ...(opts.nextRunAt ? { nextRunAt: opts.nextRunAt } : {}),
    progress: (name, done, total) => {
      progress = { phase: name, done, total };
      if (done > 0 || name === 'award') phase(name);
    },
  };

  let status: Exclude<BatchStatus, 'running'> = 'succeeded';
  let error: string | undefined;
  let plan: Plan | undefined;
  let resumeAt: number | undefined;
  let awarded = false;
  const windowEnd = (id: string) => (ctx.tracked.get(id)?.submittedAt ?? 0) + ctx.windowMs;
  let deadlineDone = false;
  let beforeWindowEnd: SweepStopped | undefined;
  try {
    await withSpan('batch.load', {}, () => loadWork(ctx, opts));
    phase('metrics');
    const metrics = await withSpan('batch.metrics', { tweets: ctx.tracked.size }, () => lookupMetrics(ctx));
    const ids = [...ctx.tracked.keys()].filter((id) => metrics.has(id));
    const tweetMarks = await wm.tweetMarks(ids);
    const conns = [...ctx.members.values()];
    const memberMarks = await wm.memberMarks(conns.map((c) => c.discordId));
    const activity = [...memberMarks.values()].map((m) => m.activity).filter((a) => a > 0);
    // Members whose likes / posts must be read now: a post leaving the window soon moved since they were last known.
    const [movedAt, postsMoved, seen] = await Promise.all([wm.likesMovedAt(ids), wm.postsMovedAt(ids), wm.memberSeen(conns.map((c) => c.discordId))]);
    const horizon = opts.likesDueHorizonMs ?? DEFAULT_LIKES_DUE_HORIZON_MS;
    const due = dueBefore(ids.map((id) => ({
      windowEnd: windowEnd(id), likesMovedAt: movedAt.get(id),
      postsMovedAt: Math.max(...(['retweet', 'reply', 'quote'] as const).map((k) => postsMoved.get(`${id}|${k}`) ?? -Infinity)),
    })), dueHorizon(now(), horizon, opts.nextRunAt));
    ctx.likesDueBefore = due.likes;
    const refusedBefore = await wm.refusedReads();
    for (const k of Object.keys(refusedBefore)) if (k.startsWith('member:')) ctx.retryMembers.add(k.slice(7));
    // A horizon shorter than the window leaves members waiting (not looked up, or not read), perhaps with
    // nothing else moving: they come due here. X bills a member lookup once a UTC day: members already
    // looked up today are looked up every run, the others only when due.
    const members = membersDue(conns.map((c) => c.discordId), memberMarks, seen, {
      now: now(), likesDueBefore: due.likes, postsDueBefore: due.posts, retry: ctx.retryMembers, everyone: horizon >= ctx.windowMs,
    }, ctx.windowStart);
    ctx.postsKnownAt = members.postsKnownAt;
    ctx.likesKnownAt = members.likesKnownAt;
    for (const r of new Set(members.reasons.values())) stats.set(`lookupDue_${r}`, [...members.reasons.values()].filter((x) => x === r).length);
    stats.set('membersWaiting', conns.length - members.reasons.size);
    const planTweets: PlanTweet[] = ids.map((id) => {
        const t = ctx.tracked.get(id)!;
        const author = ctx.byXUserId.get(t.authorId);
        const prev = tweetMarks.get(id)?.metrics;
        const markedAt = tweetMarks.get(id)?.at;
        return { tweetId: id, createdAt: t.createdAt, ...(prev ? { prev } : {}), ...(markedAt ? { markedAt } : {}), now: metrics.get(id)!, authorCanListLikes: author?.status === 'linked' };
    });
    // Throttled: the posts that would leave the window before a later run could read them go first.
    beforeWindowEnd = async (_stop, until, unreached) => {
      if (deadlineDone) return;
      deadlineDone = true;
      await withSpan('batch.deadline', { until }, () => readBeforeWindowEnd(ctx, planTweets.map((t) => ({ ...t, windowEnd: windowEnd(t.tweetId) })), until, unreached));
    };
    plan = planRun({
      now: now(),
      tweets: planTweets,
      members: members.reasons.size,
      lookupsUnbilled: members.unbilled,
      recheck: members.recheck.length,
      forceMemberLikes: members.force.likes,
      forceMemberPosts: members.force.posts,
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
    // Reposts / replies / quotes that moved: a member looked up later searches for them from when they were last known.
    const changed = plan.changed;
    const movedNow = (['retweet', 'reply', 'quote'] as const).flatMap((k) => changed[k].map((id) => `${id}|${k}`));
    for (const [f, at] of postsMoved) ctx.postsMovedAt.set(f, at);
    for (const f of movedNow) ctx.postsMovedAt.set(f, now());
    if (!ctx.dryRun) await wm.setPostsMovedAt(movedNow, now());
    log.info({ likes: plan.likes, posts: plan.posts, changed: stats.get('tweetsChanged'), estimate: plan.estimate }, 'plan');

    let marks = new Map(ids.map((id) => [id, metrics.get(id)!]));
    let sweepStartedAt: number | undefined;
    if (plan.memberLookup) {
      const p = plan;
      const sweep = await withSpan('batch.members', { likes: p.likes, posts: p.posts, members: members.reasons.size }, () => memberSweep(ctx, p, conns, memberMarks, metrics, beforeWindowEnd, new Set(members.reasons.keys()), new Set(members.recheck)));
      marks = new Map(ids.filter((id) => sweep.snapshot.has(id)).map((id) => [id, sweep.snapshot.get(id)!]));
      sweepStartedAt = sweep.startedAt;
    } else if (!ctx.dryRun) {
      await wm.clearSweep();
    }
    let reads = plan.tweetReads;
    if (plan.likes === 'members' && (conns.some((c) => c.status === 'needs_reconnect') || stats.get('membersNeedReconnect') > 0)) {
      // Members who must reconnect: their likes of linked members' posts, from the authors' side.
      const planned = new Set(reads.filter((r) => r.kind === 'like').map((r) => r.tweetId));
      const extra = reconnectLikeReads(planTweets, opts.reconnectLikesBudgetUsd ?? DEFAULT_RECONNECT_LIKES_BUDGET_USD).filter((r) => !planned.has(r.tweetId));
      stats.set('reconnectLikeReads', extra.length);
      reads = [...reads, ...extra];
    }
    // Posts leaving the tracking window first are read first (a rate limit may stop the run midway).
    reads = byWindowEnd(reads, windowEnd);
    if (reads.length) await withSpan('batch.posts_side', { reads: reads.length }, () => readTweetSide(ctx, reads));
    if (ctx.throttled.length) {
      // The default sleep's timer goes with an aborted run (it would keep a stopping process alive).
      const sleep = deps.sleep ?? ((ms: number) => delay(ms, undefined, { signal: abort.signal }).catch(() => undefined));
      await retryThrottled(ctx, { maxWaitMs: opts.throttledWaitMs ?? DEFAULT_THROTTLED_WAIT_MS, deadlineAt: opts.maxWallMs ? started + opts.maxWallMs : 0, sleep, signal: abort.signal });
    }
    ctx.progress('award', 0, 1);
    awarded = true;
    await withSpan('batch.award', {}, () => award(ctx, lock.fence));
    phase('awarded');
    if (!ctx.dryRun) await recordRefusals(ctx, refusedBefore);
    if (ctx.skipped || ctx.refused.length || ctx.throttled.length) {
      // Keep the post watermarks so the next run comes back for the members and posts skipped here.
      status = 'partial';
      error = [
        ctx.skipped ? `${ctx.skipped} member(s) skipped: their X token was being refreshed by another process; the next run covers them.` : '',
        ctx.throttled.length ? `${ctx.throttled.length} read(s) skipped: the member's own X rate limit was used up (429 with their token); the next run retries them.` : '',
        ctx.refused.length ? `X refused ${ctx.refused.length} read(s), recorded against their member or post; the next run retries them: ${ctx.refused.slice(0, 3).map((r) => `${r.subject} ${r.id} ${r.endpoint} ${r.status} (${r.reason})`).join('; ')}` : '',
      ].filter(Boolean).join(' ');
      stats.set('membersSkipped', ctx.skipped);
      stats.set('readsRefused', ctx.refused.length);
      stats.set('throttledForNextRun', ctx.throttled.length);
    } else if (!ctx.dryRun) {
      for (const id of ctx.unread) marks.delete(id);
      await wm.saveTweetMarks(marks, sweepStartedAt ?? started);
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
          if (err.reason === 'rate_limited') await beforeWindowEnd?.(err, sweepDoneBy(err.resumeAt ?? now() + RATE_WINDOW_MS, 0, 1, opts.nextRunAt), []);
          await award(ctx, lock.fence);
        } catch (awardErr) {
          status = 'failed';
          error = `${err.message}; then awarding failed: ${(awardErr as Error).message}`;
        }
      }
    } else {
      status = 'failed';
      error = lostLock
        ? 'This run lost the batch lock (its heartbeat stopped long enough for it to be declared dead); it stopped without awarding more.'
        : isRedisUnavailable(err)
          ? `Redis became unreachable (${(err as Error).message}); the run stopped. The next run resumes from the saved watermarks.`
          : (err as Error).message;
      stats.inc('errors');
      log.error({ err }, 'batch run failed');
    }
  } finally {
    clearInterval(timer);
  }
  stats.set('wallMs', now() - started);
  try {
    await recordEnd(opts.endGraceMs ?? 30_000, log, () => stores.ctx.redis.status === 'end', async () => {
      await stores.batches.finish(run.id, status, { stats: stats.toJSON(), ...(error ? { error } : {}) });
      phase('finish');
      await stores.batches.releaseLock(run.id, lock.fence);
      phase('unlock');
    });
  } catch (err) {
    log.error({ err: (err as Error).message }, 'could not record the end of the run; the next run marks it failed');
    status = 'failed';
    error = `${error ? `${error}; ` : ''}could not record the end of the run: ${(err as Error).message}`;
  }
  log.info({ status, stats: stats.toJSON() }, 'batch run finished');
  return { runId: run.id, status, exitCode: EXIT_CODES[status], stats: stats.toJSON(), ...(error ? { error } : {}), ...(plan ? { plan } : {}), ...(resumeAt ? { resumeAt } : {}) };
}

/**
 * Write the run's end. While Redis is unreachable, retry every second for up to `graceMs`, so a run
 * cut off by a Redis restart records its end (and frees the lock) once Redis is back, but never waits
 * longer than that.
 */
async function recordEnd(graceMs: number, log: Logger, closed: () => boolean, write: () => Promise<void>): Promise<void> {
  const until = Date.now() + graceMs;
  for (;;) {
    try {
      return await write();
    } catch (err) {
      if (!isRedisUnavailable(err) || closed() || Date.now() >= until) throw err;
      log.warn({ err: (err as Error).message }, 'Redis unreachable; retrying to record the end of the run');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
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
