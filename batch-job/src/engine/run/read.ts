import { setTimeout as delay } from 'node:timers/promises';
import { withSpan, type PublicMetrics } from '@engagement-tracker/core';
import type { RunContext } from '../context';
import { byWindowEnd } from '../deadline';
import { DEFAULT_RECONNECT_LIKES_BUDGET_USD, DEFAULT_THROTTLED_WAIT_MS, type BatchDeps, type BatchOptions } from '../options';
import { reconnectLikeReads, type Plan, type PlanTweet } from '../planner';
import { readBeforeWindowEnd } from '../steps/deadline-reads';
import { memberSweep, type SweepStopped } from '../steps/member-sweep';
import { retryThrottled } from '../steps/throttled';
import { readTweetSide } from '../steps/tweet-side';
import { windowEndOf, type Survey } from './plan';

/** How the read phase runs: the run's deps and options, when it started, its abort signal, and its hook for a throttled stop. */
export interface ReadSetup {
  deps: BatchDeps;
  opts: BatchOptions;
  started: number;
  signal: AbortSignal;
  onStop: SweepStopped;
}

/** Throttled: the posts that would leave the window before a later run could read them go first (once a run). */
export function beforeWindowEndOnce(ctx: RunContext, planTweets: PlanTweet[]): SweepStopped {
  const windowEnd = windowEndOf(ctx);
  let deadlineDone = false;
  return async (_stop, until, unreached) => {
    if (deadlineDone) return;
    deadlineDone = true;
    await withSpan('batch.deadline', { until }, () => readBeforeWindowEnd(ctx, planTweets.map((t) => ({ ...t, windowEnd: windowEnd(t.tweetId) })), until, unreached));
  };
}

/**
 * Read what the plan says: the members (lookups, likes, posts), then the posts' side, posts leaving the
 * window first, then the reads a member's rate limit held back. Returns the posts' watermarks to save
 * and from when they hold.
 */
export async function readPlanned(ctx: RunContext, plan: Plan, found: Survey, setup: ReadSetup): Promise<{ marks: Map<string, PublicMetrics>; sweepStartedAt: number | undefined }> {
  const { wm, stats } = ctx;
  const { ids, metrics, conns, memberMarks, members, planTweets } = found;
  const { deps, opts, started, signal, onStop: beforeWindowEnd } = setup;
  const windowEnd = windowEndOf(ctx);
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
    const sleep = deps.sleep ?? ((ms: number) => delay(ms, undefined, { signal }).catch(() => undefined));
    await retryThrottled(ctx, { maxWaitMs: opts.throttledWaitMs ?? DEFAULT_THROTTLED_WAIT_MS, deadlineAt: opts.maxWallMs ? started + opts.maxWallMs : 0, sleep, signal });
  }
  return { marks, sweepStartedAt };
}
