import type { Logger } from 'pino';
import type { Connection, Engagement, Stores, TrackedTweet, XClientFactory } from '@engagement-tracker/core';
import type { MemberThrottled, Refusal } from './errors';
import type { TweetRead } from './planner';
import type { ScanJob } from './steps/scan-members';
import type { RunStats } from './stats';
import type { MemberTokens } from './tokens';
import type { WatermarkStore } from './watermarks';
import type { XGateway } from './x-gateway';

/**
 * A read skipped because the member's own rate-limit bucket was used up (429 with their token): the
 * member's read (`job`, the endpoint saying which part) or the post's read with its author's token
 * (`read`), tried again once `resetAt` has passed.
 */
export interface Throttled extends Refusal {
  resetAt: number;
  job?: ScanJob;
  read?: TweetRead;
}

/** What every step of one run shares. */
export interface RunContext {
  runId: string;
  dryRun: boolean;
  now: () => number;
  windowStart: number;
  /** How long a post is tracked after it is submitted. */
  windowMs: number;
  stores: Stores;
  wm: WatermarkStore;
  x: XClientFactory;
  gw: XGateway;
  tokens: MemberTokens;
  stats: RunStats;
  logger: Logger;
  /**
   * Posts whose engagement found this run must wait in the pending set: every active post in the
   * window, even when the run is narrowed to one (--tweet), so nothing read is lost to later runs.
   */
  pendingScope: Set<string>;
  /** Tracked posts of this run, by id. */
  tracked: Map<string, TrackedTweet>;
  /** Linked members, by Discord id and by X user id. */
  members: Map<string, Connection>;
  byXUserId: Map<string, Connection>;
  /** Engagements found this run (the dry run keeps them only here). */
  found: Engagement[];
  /** Posts whose read from the post's side could not be done: their watermarks are not saved. */
  unread: Set<string>;
  /** Members skipped for a passing reason (token refresh busy elsewhere): the run is partial. */
  skipped: number;
  /** Reads X refused (400/403/404), recorded against their member or post: the run is partial. */
  refused: Refusal[];
  /** Reads skipped on a member's used-up rate-limit bucket: the run is partial, the others go on. */
  throttled: Throttled[];
  /**
   * `member:<discordId>` / `post:<tweetId>` read without refusal this run, or only one endpoint of it
   * (`member:<discordId>|search_recent`): clears an earlier refusal (of that endpoint).
   */
  readOk: Set<string>;
  /** Members with a read X refused in an earlier run: read them again now. */
  retryMembers: Set<string>;
  /**
   * A member whose likes were last read before this time must be read this run: a tracked post
   * whose like count moved since then leaves the window before the next run may come.
   */
  likesDueBefore: number;
  /** `tweetId|kind` (retweet, reply, quote) -> when that count was last seen to move (this run: now). */
  postsMovedAt: Map<string, number>;
  /** Per member (Discord id): up to when their posts are known (before this run); a search covers what moved since. */
  postsKnownAt: Map<string, number>;
  /** The run covers one post only (--tweet). */
  narrowed: boolean;
  /** The first scheduled run at or after a time, when the batch knows its schedule (BATCH_SCHEDULE). */
  nextRunAt?: (after: number) => number;
  concurrency: number;
  firstScanMaxPages: number;
  /** USD a throttled run may spend reading unreached members' likes for posts leaving the window. */
  deadlineLikesBudgetUsd: number;
  progress(phase: string, done: number, total: number): void;
}

/** Skip a read on a member's used-up bucket: record it against the member or post, with when it reopens. */
export function recordThrottled(ctx: RunContext, err: MemberThrottled, subject: 'member' | 'post', id: string, retry: { job?: ScanJob; read?: TweetRead } = {}): void {
  const reason = `rate limit of the member's own X token used up until ${new Date(err.resetAt).toISOString()}`;
  ctx.throttled.push({ subject, id, endpoint: err.endpoint, status: 429, reason, resetAt: err.resetAt, ...retry });
  ctx.stats.inc('readsThrottled');
  ctx.logger.warn({ [subject === 'member' ? 'discordId' : 'tweetId']: id, endpoint: err.endpoint, resetAt: new Date(err.resetAt).toISOString() }, 'a member\'s X rate limit is used up: this read is skipped and tried again once it reopens');
}

/** Run `fn` over items with at most `limit` in flight; the first error stops new work and is thrown. */
export async function pool<T>(items: T[], limit: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown = null;
  const worker = async () => {
    while (failed === null && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed !== null) throw failed;
}
