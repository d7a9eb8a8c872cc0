import type { Connection, Engagement } from '@engagement-tracker/core';
import { pool, type RunContext } from '../context';
import { deadlinePosts, type DeadlinePost, type DeadlineTweet } from '../deadline';
import { MemberThrottled, refusalOf, StopRun, TokenRevoked } from '../errors';
import { FIRST_SCAN_OLD_RUN } from './scan-members';
import { readTweetSide } from './tweet-side';

/** Pages of a member's likes read at most for posts leaving the window. */
const PROBE_PAGES = 3;

/**
 * A throttled run cannot reach every member before some posts leave the tracking window: read those
 * posts from their own side now (likers with the author's token, reposters, quotes, the reply
 * search), earliest window end first, one post at a time so the requests left go to the post that
 * would be lost first; likes their side cannot show then come from the members not reached. A post
 * with something still unread is counted in `unreadAtWindowEnd` and logged: engagement on it by
 * members the sweep has not reached yet may leave the window with it.
 */
export async function readBeforeWindowEnd(ctx: RunContext, tweets: DeadlineTweet[], until: number, unreached: Connection[] = []): Promise<void> {
  const posts = deadlinePosts(tweets.filter((t) => !ctx.readOk.has(`post:${t.tweetId}`)), until);
  let stopped = false;
  const likesUnread: Array<{ p: DeadlinePost; othersUnread: boolean }> = [];
  for (const p of posts) {
    // Each kind on its own: a used-up window of one endpoint sends nothing more there, the others go on.
    const unread = new Set(p.unreadable);
    for (const r of p.reads) {
      const refusedBefore = ctx.refused.length;
      const throttledBefore = ctx.throttled.length;
      if (stopped) {
        unread.add(r.kind);
        continue;
      }
      try {
        await readTweetSide(ctx, [r]);
      } catch (err) {
        if (!(err instanceof StopRun)) throw err;
        if (err.reason !== 'rate_limited') stopped = true;
        unread.add(r.kind);
      }
      if ([...ctx.refused.slice(refusedBefore), ...ctx.throttled.slice(throttledBefore)].some((x) => x.id === p.tweetId)) unread.add(r.kind);
    }
    if (p.reads.length && !stopped) ctx.stats.inc('deadlineReads');
    const othersUnread = [...unread].some((k) => k !== 'like');
    if (unread.has('like')) likesUnread.push({ p, othersUnread });
    else if (othersUnread) reportUnread(ctx, p, true);
  }
  await readLikesOfUnreached(ctx, likesUnread, stopped ? [] : unreached);
}

function reportUnread(ctx: RunContext, p: DeadlinePost, throttled: boolean): void {
  ctx.stats.inc('unreadAtWindowEnd');
  ctx.logger.warn({ tweetId: p.tweetId, windowEnd: new Date(p.windowEnd).toISOString(), throttled }, 'a post leaves the tracking window before its new engagement could be read from its side, and the sweep has not reached every member');
}

/**
 * Likes of posts leaving the window that their side could not show: read from the members the
 * stopped sweep has not reached (their own likes, newest first, until well before the oldest such
 * post), keeping every like of a tracked post found. Their watermarks stay: the sweep reads them as
 * planned (X bills what was already returned today once). A post still unread is reported.
 */
async function readLikesOfUnreached(ctx: RunContext, posts: Array<{ p: DeadlinePost; othersUnread: boolean }>, unreached: Connection[]): Promise<void> {
  if (!posts.length) return;
  if (!unreached.length) {
    for (const { p } of posts) reportUnread(ctx, p, true);
    return;
  }
  const oldest = Math.min(...posts.map(({ p }) => ctx.tracked.get(p.tweetId)?.createdAt ?? 0));
  let missed = false;
  let halted = false;
  await pool(unreached, ctx.concurrency, async (conn) => {
    if (halted) return;
    const found: Engagement[] = [];
    let token: string | undefined;
    let oldRun = 0;
    try {
      for (let page = 0; page < PROBE_PAGES && oldRun < FIRST_SCAN_OLD_RUN; page++) {
        const query = { max_results: 100, 'tweet.fields': 'created_at', ...(token ? { pagination_token: token } : {}) };
        const res = await ctx.tokens.call(conn, (c) => ctx.gw.get<{ id: string; created_at?: string }>('liked_tweets', c, `user:${conn.discordId}`, `users/${conn.xUserId}/liked_tweets`, query));
        for (const t of res.data) {
          if (ctx.tracked.has(t.id)) found.push({ tweetId: t.id, discordId: conn.discordId, kind: 'like' });
          oldRun = t.created_at && Date.parse(t.created_at) < oldest ? oldRun + 1 : 0;
        }
        token = res.meta?.next_token;
        if (!token) break;
      }
      ctx.stats.inc('deadlineLikeReads');
    } catch (err) {
      if (!(err instanceof StopRun) && !(err instanceof TokenRevoked) && !(err instanceof MemberThrottled) && !refusalOf(err)) throw err;
      missed = true;
      if (err instanceof StopRun && err.reason !== 'rate_limited') halted = true;
    }
    if (found.length && !ctx.dryRun) await ctx.wm.commitFound(found, ctx.pendingScope, []);
    ctx.found.push(...found);
  });
  for (const { p, othersUnread } of posts) {
    if (!missed && !halted && !othersUnread) continue;
    reportUnread(ctx, p, true);
  }
}
