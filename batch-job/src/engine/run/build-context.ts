import type { Logger } from 'pino';
import type { RunContext } from '../context';
import { DEFAULT_DEADLINE_LIKES_BUDGET_USD, DEFAULT_WINDOW_MS, type BatchDeps, type BatchOptions } from '../options';
import type { RunStats } from '../stats';
import { MemberTokens } from '../tokens';
import { WatermarkStore } from '../watermarks';
import { XGateway } from '../x-gateway';
import type { RunProgress } from './heartbeat';

/** What the run has when it builds its context: its id, clock, stats, logger, abort signal and progress. */
export interface RunSetup {
  runId: string;
  now: () => number;
  started: number;
  stats: RunStats;
  log: Logger;
  signal: AbortSignal;
  progress: RunProgress;
  phase: (name: string) => void;
}

/** The context every step of the run shares: watermarks, the X gateway (billing, limits, caps), member tokens. */
export function buildContext(deps: BatchDeps, opts: BatchOptions, setup: RunSetup): RunContext {
  const { stores } = deps;
  const { runId, now, started, stats, log, signal, progress, phase } = setup;
  const wm = new WatermarkStore(stores.ctx);
  const gw = new XGateway({
    now, maxBilledResources: opts.maxBilledResources ?? 0, deadlineAt: opts.maxWallMs ? started + opts.maxWallMs : 0,
    retries: opts.retries ?? 3, backoffMs: opts.backoffMs ?? 500, signal, ...(deps.sleep ? { sleep: deps.sleep } : {}),
    billNew: (day, kind, ids) => wm.billNew(day, kind, ids),
  }, stats);
  return {
    runId, dryRun: opts.dryRun ?? false, now, windowStart: now() - (opts.windowMs ?? DEFAULT_WINDOW_MS), windowMs: opts.windowMs ?? DEFAULT_WINDOW_MS,
    refused: [], throttled: [], readOk: new Set(), retryMembers: new Set(), likesDueBefore: -Infinity, postsMovedAt: new Map(), postsKnownAt: new Map(),
    stores, wm, x: deps.x, gw, stats, logger: log,
    tokens: new MemberTokens({ stores, wm, x: deps.x, now, stats, logger: log, ...(deps.sleep ? { sleep: deps.sleep } : {}), ...(deps.notify ? { notify: deps.notify } : {}) }),
    tracked: new Map(), members: new Map(), byXUserId: new Map(), found: [], unread: new Set(), skipped: 0, pendingScope: new Set(), narrowed: !!opts.tweetId,
    concurrency: opts.concurrency ?? 8, firstScanMaxPages: opts.firstScanMaxPages ?? 10, deadlineLikesBudgetUsd: opts.deadlineLikesBudgetUsd ?? DEFAULT_DEADLINE_LIKES_BUDGET_USD,
    ...(opts.nextRunAt ? { nextRunAt: opts.nextRunAt } : {}),
    progress: (name, done, total) => {
      progress.current = { phase: name, done, total };
      if (done > 0 || name === 'award') phase(name);
    },
  };
}
