import type { Connection, Engagement } from '@engagement-tracker/core';
import { pool, type RunContext } from '../context';
import { deadlinePosts, type DeadlinePost, type DeadlineTweet } from '../deadline';
import { MemberThrottled, refusalOf, StopRun, TokenRevoked } from '../errors';
import { PRICE } from '../planner';
import { FIRST_SCAN_OLD_RUN, LIKES_MIN_PAGE } from './scan-members';
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
 * They cost at most `ctx.deadlineLikesBudgetUsd` a run: each page is sized to what is left of it,
 * counting every page in flight at its full price, and none is sent once less than a page is left.
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
  // Worst case per liked post returned: the post and its like object, both newly billed.
  const perItem = PRICE.post + PRICE.like;
  const startCost = ctx.gw.costUsd();
  const spent = () => ctx.gw.costUsd() - startCost;
  const budget = new SpendCap(ctx.deadlineLikesBudgetUsd, spent);
  await pool(unreached, ctx.concurrency, async (conn) => {
    if (halted) return;
    const found: Engagement[] = [];
    let token: string | undefined;
    let oldRun = 0;
    let cut = false;
    try {
      for (let page = 0; page < PROBE_PAGES && oldRun < FIRST_SCAN_OLD_RUN; page++) {
        const size = await budget.reserve(100, LIKES_MIN_PAGE, perItem);
        if (!size) {
          if (!halted) ctx.logger.warn({ budgetUsd: ctx.deadlineLikesBudgetUsd, spentUsd: spent() }, 'likes read for posts leaving the window stopped at their budget (BATCH_DEADLINE_LIKES_BUDGET_USD)');
          halted = true;
          ctx.stats.set('deadlineLikesBudgetReached', 1);
          missed = true;
          cut = true;
          break;
        }
        const query = { max_results: size, 'tweet.fields': 'created_at', ...(token ? { pagination_token: token } : {}) };
        const res = await ctx.tokens.call(conn, (c) => ctx.gw.get<{ id: string; created_at?: string }>('liked_tweets', c, `user:${conn.discordId}`, `users/${conn.xUserId}/liked_tweets`, query))
          .finally(() => budget.release(size * perItem));
        for (const t of res.data) {
          if (ctx.tracked.has(t.id)) found.push({ tweetId: t.id, discordId: conn.discordId, kind: 'like' });
          oldRun = t.created_at && Date.parse(t.created_at) < oldest ? oldRun + 1 : 0;
        }
        token = res.meta?.next_token;
        if (!token) break;
      }
      if (!cut) ctx.stats.inc('deadlineLikeReads');
    } catch (err) {
      if (!(err instanceof StopRun) && !(err instanceof TokenRevoked) && !(err instanceof MemberThrottled) && !refusalOf(err)) throw err;
      missed = true;
      if (err instanceof StopRun && err.reason !== 'rate_limited') halted = true;
    }
    if (found.length && !ctx.dryRun) await ctx.wm.commitFound(found, ctx.pendingScope, []);
    ctx.found.push(...found);
  });
  ctx.stats.inc('deadlineLikesUsd', Math.round(spent() * 10_000) / 10_000);
  for (const { p, othersUnread } of posts) {
    if (!missed && !halted && !othersUnread) continue;
    reportUnread(ctx, p, true);
  }
}

/**
 * A spending cap shared by concurrent requests: each reserves its worst-case cost until it has been
 * billed, so what is spent never passes the cap, however many are in flight.
 */
class SpendCap {
  private reserved = 0;
  private waiting: Array<() => void> = [];

  constructor(private readonly limitUsd: number, private readonly spent: () => number) {}

  /**
   * The largest page (at most `max` items, at least `min`) what is left of the cap allows, once the
   * requests in flight leave room for it (pages are not shrunk for them: each page is a request of the
   * member's own small window); 0 once not even `min` items fit.
   */
  async reserve(max: number, min: number, perItem: number): Promise<number> {
    for (;;) {
      const size = Math.min(max, Math.floor((this.limitUsd - this.spent()) / perItem + 1e-9));
      if (size < min) return 0;
      if (this.reserved + size * perItem <= this.limitUsd - this.spent() + 1e-9) {
        this.reserved += size * perItem;
        return size;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  release(usd: number): void {
    this.reserved -= usd;
    for (const wake of this.waiting.splice(0)) wake();
  }
}
