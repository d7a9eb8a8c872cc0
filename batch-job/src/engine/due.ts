import { utcDay } from '@engagement-tracker/core';
import type { MemberMark } from './watermarks';

const HOUR = 3_600_000;

/** What a member lookup showed (like_count, tweet_count) and when: X bills it once per member and UTC day. */
export interface MemberSeen {
  at: number;
  likes: number;
  tweets: number;
}

/**
 * Each member is looked up once every UTC day anyway, at its own point (from its id) between
 * DAILY_LOOKUP_FROM_MS and that plus DAILY_LOOKUP_SPREAD_MS after midnight, unless due earlier: the
 * first run after midnight looks up nobody for it, the day's first lookups are spread over the next
 * runs (so each such member's search covers a few hours of posts), and the eligibility facts the
 * lookup refreshes (followers, account age, protected) stay about a day old at most.
 */
export const DAILY_LOOKUP_FROM_MS = 1 * HOUR;
export const DAILY_LOOKUP_SPREAD_MS = 2 * HOUR;

export interface DueRules {
  now: number;
  /** A member whose likes are known only up to before this may have liked a post leaving the window soon. */
  likesDueBefore: number;
  /** The same for reposts, replies and quotes. */
  postsDueBefore: number;
  /** Members with a read X refused in an earlier run. */
  retry: Set<string>;
  /** Nobody waits (the horizon covers the whole window): every member is looked up every run. */
  everyone?: boolean;
}

export type DueReason = 'everyone' | 'new' | 'billedToday' | 'retry' | 'resume' | 'likes' | 'posts' | 'daily';

/**
 * Up to when a member's likes and posts are known: the last lookup, when it showed nothing left to read
 * of that kind; otherwise the last complete read (-Infinity: never read). Not a later lookup that still
 * showed the read's count: an engagement and an unlike (or a deleted post) between them leave the count
 * unchanged, and the engagement may be of a post whose count moved before that lookup. Nothing the member
 * did before that time is unread.
 */
export function knownThrough(mark: MemberMark | undefined, seen: MemberSeen | undefined): { likes: number; posts: number } {
  if (!seen) return { likes: -Infinity, posts: -Infinity };
  const likesPending = seen.likes > 0 && seen.likes !== (mark?.likeCount ?? -1);
  const postsPending = seen.tweets > 0 && seen.tweets !== (mark?.tweetCount ?? -1);
  const likesRead = mark && mark.likeCount >= 0 ? (mark.likesAt ?? mark.scannedAt) : -Infinity;
  const postsRead = mark && mark.tweetCount >= 0 ? (mark.postsAt ?? -Infinity) : -Infinity;
  return { likes: likesPending ? likesRead : seen.at, posts: postsPending ? postsRead : seen.at };
}

/** What a lookup at `at` showed, recorded for the next runs. */
export function seenNow(at: number, counts: { likeCount: number; tweetCount: number }): MemberSeen {
  return { at, likes: counts.likeCount, tweets: counts.tweetCount };
}

/**
 * Whether a member's likes / posts must be read this run (whatever else moved): a read to resume, or
 * what they did since they were last known may concern a post about to leave the window.
 */
export function mustRead(mark: MemberMark | undefined, seen: MemberSeen | undefined, rules: Pick<DueRules, 'likesDueBefore' | 'postsDueBefore'>): { likes: boolean; posts: boolean } {
  const known = knownThrough(mark, seen);
  return { likes: !!mark?.likeResume || known.likes < rules.likesDueBefore, posts: !!mark?.postResume || known.posts < rules.postsDueBefore };
}

/** The member's own point in the spread (0 <= x < 1), from its id: the same every run. */
export function spreadOf(discordId: string): number {
  let h = 2166136261;
  for (let i = 0; i < discordId.length; i++) h = Math.imul(h ^ discordId.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

/**
 * Why a member must be looked up this run, or null when they can wait. Looked up: members never looked
 * up, reads to retry or resume, members whose likes or posts are known only up to before something
 * moved on a post about to leave the window (so nothing they did is lost), members whose daily lookup
 * comes due, and (only a free re-check, 'billedToday': further lookups that day are not billed) every
 * other member already looked up today. Pure: no I/O.
 */
export function lookupReason(discordId: string, mark: MemberMark | undefined, seen: MemberSeen | undefined, rules: DueRules): DueReason | null {
  if (rules.everyone) return 'everyone';
  if (!seen) return 'new';
  if (rules.retry.has(discordId)) return 'retry';
  if (mark?.likeResume || mark?.postResume) return 'resume';
  const must = mustRead(mark, seen, rules);
  if (must.likes) return 'likes';
  if (must.posts) return 'posts';
  if (utcDay(seen.at) === utcDay(rules.now)) return 'billedToday';
  if (rules.now - Date.parse(utcDay(rules.now)) >= DAILY_LOOKUP_FROM_MS + spreadOf(discordId) * DAILY_LOOKUP_SPREAD_MS) return 'daily';
  return null;
}

/** A run starts a little after its scheduled time and reads members some minutes into it. */
export const NEXT_RUN_SLACK_MS = 5 * 60_000;

/**
 * Posts leaving the window before this time must have their candidate likers read by this run: those
 * leaving within `horizonMs`, so that runs that do not come (a skipped or late CronJob run) within it
 * lose nothing; and, with the batch's schedule known (`nextRunAt`), at least those leaving before the
 * next run can read them (its start plus NEXT_RUN_SLACK_MS), when runs are further apart than the
 * horizon. Pure.
 */
export function dueHorizon(now: number, horizonMs: number, nextRunAt?: (after: number) => number): number {
  const flat = now + horizonMs;
  if (!nextRunAt) return flat;
  // No later run known (the schedule's answer is the time asked): the horizon.
  const next = nextRunAt(now + 1);
  return next > now + 1 ? Math.max(flat, next + NEXT_RUN_SLACK_MS) : flat;
}

/**
 * The latest time something of each kind moved on a post leaving the window within the horizon
 * (`closeBy`): a member known only up to before it must be looked up now. -Infinity: nothing.
 */
export function dueBefore(posts: Array<{ windowEnd: number; likesMovedAt?: number; postsMovedAt?: number }>, closeBy: number): { likes: number; posts: number } {
  let likes = -Infinity;
  let postsAt = -Infinity;
  for (const p of posts) {
    if (p.windowEnd > closeBy) continue;
    if (p.likesMovedAt !== undefined) likes = Math.max(likes, p.likesMovedAt);
    if (p.postsMovedAt !== undefined) postsAt = Math.max(postsAt, p.postsMovedAt);
  }
  return { likes, posts: postsAt };
}

export interface MembersDue {
  /** Members to look up this run, and why. */
  reasons: Map<string, DueReason>;
  /**
   * Those of them looked up only as a free re-check ('billedToday'), longest since their last lookup
   * first: done after the due ones with what X's rate limits leave, and never making a run partial.
   */
  recheck: string[];
  /** How many of them X has not billed today. */
  unbilled: number;
  /** Some member's likes / posts must be read this run, whatever else moved. */
  force: { likes: boolean; posts: boolean };
  /** Per member: up to when their posts are known (never before the window began: every tracked post is younger). */
  postsKnownAt: Map<string, number>;
}

/** Which members this run looks up, and what it must read of them. Pure: no I/O. */
export function membersDue(ids: string[], marks: Map<string, MemberMark>, seen: Map<string, MemberSeen>, rules: DueRules, windowStart: number): MembersDue {
  const out: MembersDue = { reasons: new Map(), recheck: [], unbilled: 0, force: { likes: rules.retry.size > 0, posts: false }, postsKnownAt: new Map() };
  for (const id of ids) {
    const mark = marks.get(id);
    const last = seen.get(id);
    out.postsKnownAt.set(id, Math.max(knownThrough(mark, last).posts, windowStart));
    const why = lookupReason(id, mark, last, rules);
    if (!why) continue;
    out.reasons.set(id, why);
    if (why === 'billedToday') out.recheck.push(id);
    if (!last || utcDay(last.at) !== utcDay(rules.now)) out.unbilled++;
    if (rules.everyone) continue;
    const must = mustRead(mark, last, rules);
    out.force.likes ||= must.likes;
    out.force.posts ||= must.posts;
  }
  out.recheck.sort((a, b) => seen.get(a)!.at - seen.get(b)!.at || (a < b ? -1 : a > b ? 1 : 0));
  return out;
}
