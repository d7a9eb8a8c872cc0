import type { Logger } from 'pino';
import type { Stores } from '@engagement-tracker/core';
import type { RunStats } from '../stats';

/** Where the run is, recorded with each heartbeat; `current` is replaced as the run moves on. */
export interface RunProgress {
  current: { phase: string; done: number; total: number };
}

export interface Heartbeat {
  /** Aborted once the run lost its lock, or when the caller's signal aborts. */
  signal: AbortSignal;
  lostLock(): boolean;
  stop(): void;
}

/**
 * Every `heartbeatMs`, renew the run's lock and record its progress and stats. A run that could not
 * (its lock taken over after it was declared dead) is aborted.
 */
export function startHeartbeat(stores: Stores, run: { id: string; fence: number }, timing: { lockTtlMs: number; heartbeatMs: number }, progress: RunProgress, stats: RunStats, log: Logger, signal?: AbortSignal): Heartbeat {
  const { lockTtlMs, heartbeatMs } = timing;
  const abort = new AbortController();
  signal?.addEventListener('abort', () => abort.abort(), { once: true });
  let lostLock = false;
  let beating = false;
  const beat = async () => {
    if (beating) return; // a beat still waiting on Redis: never pile up more
    beating = true;
    try {
      const held = await stores.batches.renewLock(run.id, run.fence, lockTtlMs);
      const recorded = held && (await stores.batches.heartbeat(run.id, progress.current, stats.toJSON()));
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
  return { signal: abort.signal, lostLock: () => lostLock, stop: () => clearInterval(timer) };
}
