import type { Logger } from 'pino';
import { isRedisUnavailable } from '@engagement-tracker/core';
import type { RunContext } from '../context';
import { EXIT_CODES, type BatchOptions, type BatchOutcome, type BatchOutcomeStatus } from '../options';
import type { Plan } from '../planner';

/** How the run is ending, as its phases find out. */
export interface RunState {
  status: BatchOutcomeStatus;
  error?: string;
  plan?: Plan;
  /** When partial because of a rate limit: when the window reopens. */
  resumeAt?: number;
  /** The award phase has begun (a stopped run awards what it found only when it has not). */
  awarded: boolean;
}

/** Record the run's end (status, stats, error), release the lock, and return the run's outcome. */
export async function finishRun(ctx: RunContext, state: RunState, run: { id: string; fence: number; started: number; phase: (name: string) => void }, opts: BatchOptions): Promise<BatchOutcome> {
  const { stores, stats, now, logger: log } = ctx;
  const { started, phase } = run;
  stats.set('wallMs', now() - started);
  try {
    await recordEnd(opts.endGraceMs ?? 30_000, log, () => stores.ctx.redis.status === 'end', async () => {
      await stores.batches.finish(run.id, state.status, { stats: stats.toJSON(), ...(state.error ? { error: state.error } : {}) });
      phase('finish');
      await stores.batches.releaseLock(run.id, run.fence);
      phase('unlock');
    });
  } catch (err) {
    log.error({ err: (err as Error).message }, 'could not record the end of the run; the next run marks it failed');
    state.status = 'failed';
    state.error = `${state.error ? `${state.error}; ` : ''}could not record the end of the run: ${(err as Error).message}`;
  }
  const { status, error, plan, resumeAt } = state;
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
