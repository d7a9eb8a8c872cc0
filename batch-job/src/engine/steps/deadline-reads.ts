import type { RunContext } from '../context';
import { deadlinePosts, type DeadlineTweet } from '../deadline';
import { StopRun } from '../errors';
import { readTweetSide } from './tweet-side';

/**
 * A throttled run cannot reach every member before some posts leave the tracking window: read those
 * posts from their own side now (likers with the author's token, reposters, quotes, the reply
 * search), earliest window end first, one post at a time so the requests left go to the post that
 * would be lost first. A post still unread when nothing more may be sent (or whose likes no
 * post-side read can show) is counted in `unreadAtWindowEnd` and logged: engagement on it by
 * members the sweep has not reached yet leaves the window with it.
 */
export async function readBeforeWindowEnd(ctx: RunContext, tweets: DeadlineTweet[], until: number): Promise<void> {
  const posts = deadlinePosts(tweets.filter((t) => !ctx.readOk.has(`post:${t.tweetId}`)), until);
  let stopped = false;
  for (const p of posts) {
    if (!stopped && p.reads.length) {
      try {
        await readTweetSide(ctx, p.reads);
        ctx.stats.inc('deadlineReads');
      } catch (err) {
        if (!(err instanceof StopRun)) throw err;
        stopped = true;
      }
    }
    const unread = stopped || ctx.unread.has(p.tweetId) || p.unreadable.length > 0;
    if (unread) {
      ctx.stats.inc('unreadAtWindowEnd');
      ctx.logger.warn({ tweetId: p.tweetId, windowEnd: new Date(p.windowEnd).toISOString(), unreadable: p.unreadable, throttled: stopped }, 'a post leaves the tracking window before its new engagement could be read from its side, and the sweep has not reached every member');
    }
  }
}
