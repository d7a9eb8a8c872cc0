import { withSpan, type Connection, type PublicMetrics } from '@engagement-tracker/core';
import type { RunContext } from '../context';
import { dueBefore, dueHorizon, membersDue, type MembersDue } from '../due';
import { DEFAULT_LIKES_DUE_HORIZON_MS, type BatchOptions } from '../options';
import { planRun, type Plan, type PlanTweet } from '../planner';
import { lookupMetrics } from '../steps/lookup-metrics';
import { POST_KINDS, type MemberMark } from '../watermarks';

/** What the run learnt before planning: the posts' metrics and marks, the members and which are due. */
export interface Survey {
  metrics: Map<string, PublicMetrics>;
  /** Tracked posts whose metrics X returned. */
  ids: string[];
  conns: Connection[];
  memberMarks: Map<string, MemberMark>;
  activity: number[];
  members: MembersDue;
  planTweets: PlanTweet[];
  /** Reads refused in earlier runs, by `member:<id>` / `post:<id>`. */
  refusedBefore: Record<string, { endpoint: string }>;
}

/** When each tracked post leaves the tracking window. */
export function windowEndOf(ctx: RunContext): (id: string) => number {
  return (id: string) => (ctx.tracked.get(id)?.submittedAt ?? 0) + ctx.windowMs;
}

/**
 * Look up the tracked posts' metrics, read the posts' and members' watermarks, and decide which members
 * are due this run (looked up, and whose likes / posts must be read).
 */
export async function survey(ctx: RunContext, opts: BatchOptions): Promise<Survey> {
  const { wm, stats } = ctx;
  const now = ctx.now;
  const windowEnd = windowEndOf(ctx);
  const metrics = await withSpan('batch.metrics', { tweets: ctx.tracked.size }, () => lookupMetrics(ctx));
  const ids = [...ctx.tracked.keys()].filter((id) => metrics.has(id));
  const tweetMarks = await wm.tweetMarks(ids);
  const conns = [...ctx.members.values()];
  const { marks: memberMarks, seen } = await wm.memberState(conns.map((c) => c.discordId));
  const activity = [...memberMarks.values()].map((m) => m.activity).filter((a) => a > 0);
  // Members whose likes / posts must be read now: a post leaving the window soon moved since they were last known.
  const [movedAt, postsMoved] = await Promise.all([wm.likesMovedAt(ids), wm.postsMovedAt(ids)]);
  const horizon = opts.likesDueHorizonMs ?? DEFAULT_LIKES_DUE_HORIZON_MS;
  const due = dueBefore(ids.map((id) => ({
    windowEnd: windowEnd(id), likesMovedAt: movedAt.get(id),
    postsMovedAt: Math.max(...POST_KINDS.map((k) => postsMoved.get(`${id}|${k}`) ?? -Infinity)),
  })), dueHorizon(now(), horizon, opts.nextRunAt));
  ctx.likesDueBefore = due.likes;
  const refusedBefore = await wm.refusedReads();
  for (const k of Object.keys(refusedBefore)) if (k.startsWith('member:')) ctx.retryMembers.add(k.slice(7));
  // A horizon shorter than the window leaves members waiting (not looked up, or not read), perhaps with
  // nothing else moving: they come due here. X bills a member lookup once a UTC day: members already
  // looked up today are looked up every run, the others only when due.
  const members = membersDue(conns.map((c) => c.discordId), memberMarks, seen, {
    now: now(), likesDueBefore: due.likes, postsDueBefore: due.posts, retry: ctx.retryMembers, everyone: horizon >= ctx.windowMs,
  }, ctx.windowStart);
  ctx.postsKnownAt = members.postsKnownAt;
  // `tweetId|kind` -> when that count last moved (before this run); notePlan adds what moved now.
  ctx.postsMovedAt = postsMoved;
  for (const r of new Set(members.reasons.values())) stats.set(`lookupDue_${r}`, [...members.reasons.values()].filter((x) => x === r).length);
  stats.set('membersWaiting', conns.length - members.reasons.size);
  const planTweets: PlanTweet[] = ids.map((id) => {
    const t = ctx.tracked.get(id)!;
    const author = ctx.byXUserId.get(t.authorId);
    const prev = tweetMarks.get(id)?.metrics;
    const markedAt = tweetMarks.get(id)?.at;
    return { tweetId: id, createdAt: t.createdAt, ...(prev ? { prev } : {}), ...(markedAt ? { markedAt } : {}), now: metrics.get(id)!, authorCanListLikes: author?.status === 'linked' };
  });
  return { metrics, ids, conns, memberMarks, activity, members, planTweets, refusedBefore };
}

/** The run's plan (planner.ts) from what the survey found and what X's app rate limits leave. */
export function planFor(ctx: RunContext, found: Survey): Plan {
  const { members, activity, planTweets } = found;
  const gw = ctx.gw;
  return planRun({
    now: ctx.now(),
    tweets: planTweets,
    members: members.reasons.size,
    lookupsUnbilled: members.unbilled,
    recheck: members.recheck.length,
    forceMemberLikes: members.force.likes,
    forceMemberPosts: members.force.posts,
    itemsPerScan: activity.length ? activity.reduce((a, b) => a + b, 0) / activity.length : 5,
    activeMembers: activity.length,
    remaining: {
      liking_users: Infinity,
      retweeted_by: gw.remaining('retweeted_by', 'app'),
      quote_tweets: gw.remaining('quote_tweets', 'app'),
      search_recent: gw.remaining('search_recent', 'app'),
      users_lookup: gw.remaining('users_lookup', 'app'),
    },
  });
}

/** Count the posts that changed, record when reposts / replies / quotes moved, and log the plan. */
export async function notePlan(ctx: RunContext, plan: Plan): Promise<void> {
  const { wm, stats } = ctx;
  const now = ctx.now;
  stats.set('tweetsChanged', new Set(Object.values(plan.changed).flat()).size);
  // Reposts / replies / quotes that moved: a member looked up later searches for them from when they were last known.
  const changed = plan.changed;
  const movedNow = POST_KINDS.flatMap((k) => changed[k].map((id) => `${id}|${k}`));
  for (const f of movedNow) ctx.postsMovedAt.set(f, now());
  if (!ctx.dryRun) await wm.setPostsMovedAt(movedNow, now());
  ctx.logger.info({ likes: plan.likes, posts: plan.posts, changed: stats.get('tweetsChanged'), estimate: plan.estimate }, 'plan');
}
