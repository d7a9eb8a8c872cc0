import { withSpan } from '@engagement-tracker/core';
import type { BatchDeps, BatchOptions, BatchOutcome } from './options';
import { buildContext } from './run/build-context';
import { commit } from './run/commit';
import { startHeartbeat } from './run/heartbeat';
import { loadWork } from './run/load-work';
import { finishRun, type RunState } from './run/outcome';
import { notePlan, planFor, survey } from './run/plan';
import { beforeWindowEndOnce, readPlanned } from './run/read';
import { phaseOnce, takeRun } from './run/start';
import { settleStop } from './run/stopped';
import { RunStats } from './stats';
import type { SweepStopped } from './steps/member-sweep';

export {
  EXIT_CODES, RUN_PHASES, DEFAULT_WINDOW_MS, DEFAULT_DEADLINE_LIKES_BUDGET_USD, DEFAULT_RECONNECT_LIKES_BUDGET_USD, DEFAULT_THROTTLED_WAIT_MS, DEFAULT_LIKES_DUE_HORIZON_MS,
  type BatchDeps, type BatchOptions, type BatchOutcome, type BatchOutcomeStatus,
} from './options';

/**
 * One batch run: take the lock, read what changed on X at the lowest cost, award through the
 * ledger with the run's id and lock fence, and record the run (status, progress, stats) as it goes.
 * Its phases live in run/: start (record, lock), heartbeat, build-context, load-work, plan (survey,
 * plan), read (members, posts' side, throttled retries), commit (award, refusals, watermarks),
 * stopped (a run cut short) and outcome (the run's end).
 */
export async function runBatch(deps: BatchDeps, opts: BatchOptions): Promise<BatchOutcome> {
  const { stores } = deps;
  const now = deps.now ?? Date.now;
  const heartbeatMs = opts.heartbeatMs ?? 5_000;
  const lockTtlMs = opts.lockTtlMs ?? 12 * heartbeatMs;
  const aliveMs = opts.aliveMs ?? 4 * heartbeatMs;
  const started = now();
  const phase = phaseOnce(opts);
  const taken = await takeRun(deps, opts, { lockTtlMs, aliveMs }, phase);
  if ('outcome' in taken) return taken.outcome;
  const { run, log, lock, progress } = taken;

  const stats = new RunStats();
  const heartbeat = startHeartbeat(stores, { id: run.id, fence: lock.fence }, { lockTtlMs, heartbeatMs }, progress, stats, log, opts.signal);
  const ctx = buildContext(deps, opts, { runId: run.id, now, started, stats, log, signal: heartbeat.signal, progress, phase });

  const state: RunState = { status: 'succeeded', awarded: false };
  let beforeWindowEnd: SweepStopped | undefined;
  try {
    await withSpan('batch.load', {}, () => loadWork(ctx, opts));
    phase('metrics');
    const found = await survey(ctx, opts);
    beforeWindowEnd = beforeWindowEndOnce(ctx, found.planTweets);
    const plan = planFor(ctx, found);
    state.plan = plan;
    await notePlan(ctx, plan);
    const read = await readPlanned(ctx, plan, found, { deps, opts, started, signal: heartbeat.signal, onStop: beforeWindowEnd });
    await commit(ctx, state, { ...read, refusedBefore: found.refusedBefore }, { fence: lock.fence, started, phase });
  } catch (err) {
    await settleStop(ctx, state, err, { fence: lock.fence, lostLock: heartbeat.lostLock(), beforeWindowEnd, nextRunAt: opts.nextRunAt });
  } finally {
    heartbeat.stop();
  }
  return finishRun(ctx, state, { id: run.id, fence: lock.fence, started, phase }, opts);
}
