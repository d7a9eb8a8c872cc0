import { retryRead, type XClientFactory } from '@engagement-tracker/core';
import type { TweetLookup } from './usecases/submit-tweet';

/**
 * One app-only X lookup per submission: GET /2/tweets/:id with author and public metrics. A read, so
 * a connection X closed (or a 5xx) is retried twice with a short backoff before the member is told.
 */
export function createTweetLookup(x: XClientFactory): TweetLookup {
  return async (tweetId) => {
    try {
      const res = await retryRead(() =>
        x.app().v2.singleTweet(tweetId, {
          'tweet.fields': ['created_at', 'author_id', 'public_metrics'],
          expansions: ['author_id'],
          'user.fields': ['username'],
        }),
      );
      const t = res.data;
      if (!t) return null;
      const author = res.includes?.users?.find((u) => u.id === t.author_id);
      const m = t.public_metrics;
      return {
        id: t.id,
        authorId: t.author_id ?? author?.id ?? '',
        authorHandle: author?.username ?? '',
        createdAt: t.created_at ? Date.parse(t.created_at) : 0,
        text: t.text,
        metrics: { likes: m?.like_count ?? 0, retweets: m?.retweet_count ?? 0, replies: m?.reply_count ?? 0, quotes: m?.quote_count ?? 0 },
      };
    } catch (err) {
      // twitter-api-v2's ApiResponseError carries the HTTP status as `code`.
      const status = (err as { code?: unknown }).code;
      if (status === 404 || status === 400) return null;
      throw err;
    }
  };
}
