import type { Logger } from 'pino';
import type { BatchStatus, BatchTrigger, MemberNotifier, Stores, XClientFactory } from '@engagement-tracker/core';
import type { Plan } from './planner';

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
