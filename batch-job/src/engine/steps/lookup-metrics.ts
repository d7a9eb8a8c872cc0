import type { PublicMetrics } from '@engagement-tracker/core';
import { recordThrottled, type RunContext } from '../context';
import { MemberThrottled, refusalOf, TokenRevoked } from '../errors';
import type { XPage } from '../x-gateway';

interface TweetData {
  id: string;
  public_metrics?: { like_count: number; retweet_count: number; reply_count: number; quote_count: number };
}

/**
 * One batch lookup per 100 tracked posts: their public_metrics decide what needs reading at all.
 * Deleted or unavailable posts (protected, author suspended) are marked and dropped from the run.
 */
export async function lookupMetrics(ctx: RunContext): Promise<Map<string, PublicMetrics>> {
  const ids = [...ctx.tracked.keys()];
  const out = new Map<string, PublicMetrics>();
  const app = ctx.x.app();
  const waiting = new Set<string>();
  const take = (res: XPage<TweetData>) => {
    for (const t of res.data) {
      const m = t.public_metrics;
      if (!m) continue;
      out.set(t.id, { likes: m.like_count, retweets: m.retweet_count, replies: m.reply_count, quotes: m.quote_count });
    }
  };
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const res = await ctx.gw.get<TweetData>('tweets_lookup', app, 'app', 'tweets', { ids: chunk.join(','), 'tweet.fields': 'public_metrics' });
    take(res);
    const errors = res.errors ?? [];
    // A protected member's post is visible to its author's token only: ask with it.
    const hidden = new Map<string, string[]>();
    for (const e of errors) {
      const id = e.resource_id && ctx.tracked.has(e.resource_id) ? e.resource_id : e.value;
      const author = id ? ctx.byXUserId.get(ctx.tracked.get(id)?.authorId ?? '') : undefined;
      if (id && author?.status === 'linked' && String(e.type ?? '').endsWith('not-authorized-for-resource')) hidden.set(author.discordId, [...(hidden.get(author.discordId) ?? []), id]);
    }
    for (const [discordId, own] of hidden) {
      const author = ctx.members.get(discordId)!;
      try {
        take(await ctx.tokens.call(author, (c) => ctx.gw.get<TweetData>('tweets_lookup', c, `user:${discordId}`, 'tweets', { ids: own.join(','), 'tweet.fields': 'public_metrics' })));
      } catch (err) {
        if (err instanceof MemberThrottled) {
          // Not unavailable: skipped this run (partial), looked up again by the next.
          for (const id of own) {
            recordThrottled(ctx, err, 'post', id);
            waiting.add(id);
          }
        } else if (!(err instanceof TokenRevoked) && !refusalOf(err)) {
          throw err;
        }
      }
    }
    for (const e of errors) {
      const id = e.resource_id && ctx.tracked.has(e.resource_id) ? e.resource_id : e.value;
      if (!id || !ctx.tracked.has(id) || out.has(id) || waiting.has(id)) continue;
      const status = e.title === 'Not Found Error' ? 'deleted' : 'unavailable';
      ctx.stats.inc(status === 'deleted' ? 'tweetsDeleted' : 'tweetsUnavailable');
      ctx.logger.info({ tweetId: id, status, detail: e.detail }, 'tracked post no longer readable');
      // Only an active post changes status here: an admin's delete (perhaps with revoke) stays.
      if (!ctx.dryRun) await ctx.stores.tweets.setStatus(id, status, e.detail, 'active');
      ctx.tracked.delete(id);
    }
    ctx.progress('metrics', Math.min(ids.length, i + 100), ids.length);
  }
  if (!ctx.dryRun) {
    const likesMoved = [...out].filter(([id, m]) => ctx.tracked.get(id)?.metrics.likes !== m.likes).map(([id]) => id);
    await ctx.wm.setLikesMovedAt(likesMoved, ctx.now());
    for (const [id, m] of out) {
      const t = ctx.tracked.get(id);
      if (t && (t.metrics.likes !== m.likes || t.metrics.retweets !== m.retweets || t.metrics.replies !== m.replies || t.metrics.quotes !== m.quotes)) {
        await ctx.stores.tweets.updateMetrics(id, m);
      }
    }
  }
  ctx.stats.set('tweetsChecked', out.size);
  return out;
}
