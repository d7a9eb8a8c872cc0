import type { Logger } from 'pino';
import type { BatchRun } from '@engagement-tracker/core';
import { EXIT_CODES, type BatchDeps, type BatchOptions, type BatchOutcome } from '../options';
import type { RunProgress } from './heartbeat';

/** A run that holds the batch lock: its record, its logger, the lock's fence and where it is. */
export interface TakenRun {
  run: BatchRun;
  log: Logger;
  lock: { fence: number; tookOver?: string };
  progress: RunProgress;
}

/** Calls `opts.onPhase` when the run reaches each of RUN_PHASES, the first time only. */
export function phaseOnce(opts: BatchOptions): (name: string) => void {
  const seen = new Set<string>();
  return (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    opts.onPhase?.(name);
  };
}

/**
 * Open the run's record and take the batch lock, then mark the runs whose heartbeat stopped as failed.
 * Returns the run's outcome instead when it must not go on: its record has ended, or a live run holds
 * the lock (skipped).
 */
export async function takeRun(deps: BatchDeps, opts: BatchOptions, timing: { lockTtlMs: number; aliveMs: number }, phase: (name: string) => void): Promise<TakenRun | { outcome: BatchOutcome }> {
  const { stores, logger } = deps;
  const { lockTtlMs, aliveMs } = timing;
  // A manual run's record exists already (the admin API wrote it before starting this program, and
  // gave its id as BATCH_RUN_ID): this run is that record. One that has ended is never run again.
  const existing = opts.runId ? await stores.batches.get(opts.runId) : null;
  if (existing && existing.status !== 'running') {
    const error = `Batch run ${existing.id} has already ended (${existing.status}); it is not run again.`;
    logger.error({ runId: existing.id, status: existing.status }, error);
    return { outcome: { runId: existing.id, status: 'failed', exitCode: EXIT_CODES.failed, stats: {}, error } };
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
    return { outcome: { runId: run.id, status: 'skipped', exitCode: EXIT_CODES.skipped, stats: {}, error } };
  }
  if (lock.tookOver) log.warn({ from: lock.tookOver }, 'took the batch lock over from a run whose heartbeat stopped (marked failed)');
  const progress: RunProgress = { current: { done: 0, total: 0, phase: 'lock' } };
  await stores.batches.heartbeat(run.id, progress.current);
  // Every other run still "running" without a heartbeat is dead: mark it failed now, with the reason.
  const reaped = await stores.batches.reapStale(aliveMs, { except: run.id, startGraceMs: opts.startGraceMs ?? 600_000 });
  if (reaped.length) log.warn({ runs: reaped }, 'marked runs whose heartbeat stopped as failed');
  phase('lock');
  return { run, log, lock, progress };
}
