import type { EngagementKind, PublicMetrics } from '@engagement-tracker/core';
import { changedBy, type PlanTweet, type TweetRead } from './planner';

/** X's rate-limit windows last 15 minutes. */
export const RATE_WINDOW_MS = 15 * 60_000;

const KINDS: Array<[EngagementKind, keyof PublicMetrics]> = [['like', 'likes'], ['retweet', 'retweets'], ['reply', 'replies'], ['quote', 'quotes']];

/** A tracked post with when its tracking window ends (submitted + window). */
export interface DeadlineTweet extends PlanTweet {
  windowEnd: number;
}

export interface DeadlinePost {
  tweetId: string;
  windowEnd: number;
  /** Post-side reads covering its engagement since its last complete read. */
  reads: TweetRead[];
  /** Kinds no post-side read can show (likes of a post whose author cannot list them). */
  unreadable: EngagementKind[];
}

/**
 * When a run is throttled, the posts whose engagement would be lost first: those whose tracking
 * window ends before `until` (the earliest a later run could read them) and whose counts moved since
 * their last complete read, earliest window end first (ties by id), each with the post-side reads
 * that cover what moved. Pure: no I/O.
 */
export function deadlinePosts(tweets: DeadlineTweet[], until: number): DeadlinePost[] {
  const out: DeadlinePost[] = [];
  for (const t of tweets) {
    if (t.windowEnd > until) continue;
    const reads: TweetRead[] = [];
    const unreadable: EngagementKind[] = [];
    for (const [kind, metric] of KINDS) {
      const d = changedBy(t, kind);
      if (d === null) continue;
      if (kind === 'like' && !t.authorCanListLikes) unreadable.push(kind);
      else reads.push({ tweetId: t.tweetId, kind, items: Math.max(1, Math.min(d, t.now[metric] + 2)) });
    }
    if (reads.length || unreadable.length) out.push({ tweetId: t.tweetId, windowEnd: t.windowEnd, reads, unreadable });
  }
  return out.sort((a, b) => a.windowEnd - b.windowEnd || (a.tweetId < b.tweetId ? -1 : a.tweetId > b.tweetId ? 1 : 0));
}

/** Post-side reads in deadline order: the reads of posts leaving the window first go first (stable otherwise). */
export function byWindowEnd(reads: TweetRead[], windowEnd: (tweetId: string) => number): TweetRead[] {
  return reads.map((r, i) => ({ r, i, end: windowEnd(r.tweetId) })).sort((a, b) => a.end - b.end || a.i - b.i).map((x) => x.r);
}

/**
 * The earliest time a later run could reach every member a stopped sweep has left: it resumes at
 * `resumeAt` and covers `perWindow` members each rate-limit window. With the runs' schedule
 * (`nextRun`: the first scheduled run at or after a time), each window's share waits for the first run
 * once that window is open; without it, a run is assumed to start as soon as a window reopens.
 */
export function sweepDoneBy(resumeAt: number, membersLeft: number, perWindow: number, nextRun: (after: number) => number = (t) => t): number {
  const windows = Math.max(1, Math.ceil(membersLeft / Math.max(1, perWindow)));
  let at = Math.max(resumeAt, nextRun(resumeAt));
  for (let w = 1; w < windows; w++) at = Math.max(at + RATE_WINDOW_MS, nextRun(at + RATE_WINDOW_MS));
  return at;
}
