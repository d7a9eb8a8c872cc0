import type { Connection, Engagement } from '@engagement-tracker/core';
import { pool, recordThrottled, type RunContext } from '../context';
import { MemberThrottled, refusalOf, StopRun, TokenBusy, TokenRevoked } from '../errors';
import type { TweetRead } from '../planner';
import type { XEndpoint } from '../x-gateway';
import type { ReplyText } from './posts';

interface Row {
  id: string;
  author_id?: string;
  text?: string;
}

/**
 * Read engagement from the posts' side, only the newest `items` entries of each changed kind:
 * likers through the author's own token (likes are private), retweeters, quotes, and replies via
 * recent search on the conversation.
 */
export async function readTweetSide(ctx: RunContext, reads: TweetRead[]): Promise<void> {
  const scope = ctx.pendingScope;
  let done = 0;
  await pool(reads, ctx.concurrency, async (r) => {
    const tweet = ctx.tracked.get(r.tweetId);
    if (!tweet) return;
    // likes are listed with the author's own token (likes are private); the rest with the app's
    let author: Connection | undefined;
    let endpoint: XEndpoint;
    let path: string;
    let min = 1;
    const query: Record<string, string | number> = {};
    if (r.kind === 'like') {
      author = ctx.byXUserId.get(tweet.authorId);
      if (!author) return;
      endpoint = 'liking_users';
      path = `tweets/${r.tweetId}/liking_users`;
    } else if (r.kind === 'retweet') {
      endpoint = 'retweeted_by';
      path = `tweets/${r.tweetId}/retweeted_by`;
    } else if (r.kind === 'quote') {
      endpoint = 'quote_tweets';
      path = `tweets/${r.tweetId}/quote_tweets`;
      query['tweet.fields'] = 'author_id';
      min = 10;
    } else {
      endpoint = 'search_recent';
      path = 'tweets/search/recent';
      query.query = `conversation_id:${r.tweetId}`;
      query['tweet.fields'] = 'author_id';
      min = 10;
    }
    const get = (q: Record<string, string | number>) => author
      ? ctx.tokens.call(author, (c) => ctx.gw.get<Row>(endpoint, c, `user:${author.discordId}`, path, q))
      : ctx.gw.get<Row>(endpoint, ctx.x.app(), 'app', path, q);
    const found: Engagement[] = [];
    const replies: ReplyText[] = [];
    let left = r.items;
    let token: string | undefined;
    try {
      while (left > 0) {
        const res = await get({
          ...query,
          max_results: Math.max(min, Math.min(100, left)),
          ...(token ? { [endpoint === 'search_recent' ? 'next_token' : 'pagination_token']: token } : {}),
        });
        for (const row of res.data) {
          const xId = r.kind === 'like' || r.kind === 'retweet' ? row.id : row.author_id;
          const member = xId ? ctx.byXUserId.get(xId) : undefined;
          if (!member) continue;
          found.push({ tweetId: r.tweetId, discordId: member.discordId, kind: r.kind });
          if (r.kind === 'reply' && row.text !== undefined) replies.push({ tweetId: r.tweetId, discordId: member.discordId, id: row.id, text: row.text });
        }
        left -= res.data.length;
        token = res.meta?.next_token;
        if (!token || !res.data.length) break;
      }
      ctx.stats.inc('tweetReads');
    } catch (err) {
      const refusal = refusalOf(err);
      if (!(err instanceof TokenRevoked) && !(err instanceof MemberThrottled) && !refusal) {
        // Stopped midway (rate limit, budget, time): keep what the pages already paid for showed.
        if (err instanceof StopRun && found.length && !ctx.dryRun) await ctx.wm.commitFound(found, scope, replies);
        if (err instanceof StopRun) ctx.found.push(...found);
        throw err;
      }
      // The author's token no longer works (or its rate limit is used up), or X refused the read: the
      // post's watermark must not claim these engagements were read (read again later).
      ctx.stats.inc('tweetReadsSkipped');
      ctx.unread.add(r.tweetId);
      if (err instanceof TokenBusy) ctx.skipped++;
      if (err instanceof MemberThrottled) recordThrottled(ctx, err, 'post', r.tweetId, { read: r });
      if (refusal) {
        ctx.refused.push({ subject: 'post', id: r.tweetId, endpoint, ...refusal });
        ctx.logger.warn({ tweetId: r.tweetId, endpoint, status: refusal.status, reason: refusal.reason }, 'X refused a read for this post; the next run retries it');
      }
    }
    if (!ctx.unread.has(r.tweetId)) ctx.readOk.add(`post:${r.tweetId}`);
    if (!ctx.dryRun) await ctx.wm.commitFound(found, scope, replies);
    ctx.found.push(...found);
    ctx.progress('tweets', ++done, reads.length);
  });
}
