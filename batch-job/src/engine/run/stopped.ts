import { isRedisUnavailable } from '@engagement-tracker/core';
import type { RunContext } from '../context';
import { RATE_WINDOW_MS, sweepDoneBy } from '../deadline';
import { StopRun } from '../errors';
import { award } from '../steps/award';
import type { SweepStopped } from '../steps/member-sweep';
import type { RunState } from './outcome';

/**
 * A run cut short. Stopped (StopRun: a rate limit, a cap, a signal) it is partial: it reads the posts
 * leaving the window first when X's rate limit stopped it, then awards what it found unless it was
 * awarding already. Any other error, or a lost lock, fails it.
 */
export async function settleStop(ctx: RunContext, state: RunState, err: unknown, run: { fence: number; lostLock: boolean; beforeWindowEnd: SweepStopped | undefined; nextRunAt: ((after: number) => number) | undefined }): Promise<void> {
  const { stats, now, logger: log } = ctx;
  const { lostLock, beforeWindowEnd } = run;
  if (err instanceof StopRun && !lostLock) {
    state.status = 'partial';
    state.error = err.message;
    state.resumeAt = err.resumeAt;
    stats.set(`stopped_${err.reason}`, 1);
    log.warn({ reason: err.reason, resumeAt: err.resumeAt }, 'run stopped early; the next run resumes here');
    if (!state.awarded) {
      try {
        if (err.reason === 'rate_limited') await beforeWindowEnd?.(err, sweepDoneBy(err.resumeAt ?? now() + RATE_WINDOW_MS, 0, 1, run.nextRunAt), []);
        await award(ctx, run.fence);
      } catch (awardErr) {
        state.status = 'failed';
        state.error = `${err.message}; then awarding failed: ${(awardErr as Error).message}`;
      }
    }
  } else {
    state.status = 'failed';
    state.error = lostLock
      ? 'This run lost the batch lock (its heartbeat stopped long enough for it to be declared dead); it stopped without awarding more.'
      : isRedisUnavailable(err)
        ? `Redis became unreachable (${(err as Error).message}); the run stopped. The next run resumes from the saved watermarks.`
        : (err as Error).message;
    stats.inc('errors');
    log.error({ err }, 'batch run failed');
  }
}
