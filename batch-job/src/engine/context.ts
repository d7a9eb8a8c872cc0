import type { Logger } from 'pino';
import type { Connection, Engagement, Stores, TrackedTweet, XClientFactory } from '@engagement-tracker/core';
import type { Refusal } from './errors';
import type { RunStats } from './stats';
import type { MemberTokens } from './tokens';
import type { WatermarkStore } from './watermarks';
import type { XGateway } from './x-gateway';

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
  /** `member:<discordId>` / `post:<tweetId>` read without refusal this run (clears an earlier refusal). */
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
  concurrency: number;
  firstScanMaxPages: number;
  progress(phase: string, done: number, total: number): void;
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
