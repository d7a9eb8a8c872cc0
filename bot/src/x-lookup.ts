import { retryRead, type XClientFactory } from '@engagement-tracker/core';
import type { TwitterApiReadOnly } from 'twitter-api-v2';
import type { LookedUpTweet, TweetLookup } from './usecases/submit-tweet';

export interface TweetLookupOptions {
  /**
   * The submitting member's current X access token (null when none is usable). A protected
   * account's post is visible only to its author (and followers): when the app may not see it, it is
   * looked up again with this token, so a protected member can submit their own post.
   */
  memberToken?: () => Promise<string | null>;
}

/**
 * One app-only X lookup per submission: GET /2/tweets/:id with author and public metrics. A read, so
 * a connection X closed (or a 5xx) is retried twice with a short backoff before the member is told.
 */
export function createTweetLookup(x: XClientFactory, opts: TweetLookupOptions = {}): TweetLookup {
  const lookup = async (client: TwitterApiReadOnly, tweetId: string): Promise<{ tweet: LookedUpTweet | null; notAuthorized: boolean }> => {
    try {
      const res = await retryRead(() =>
        client.v2.singleTweet(tweetId, {
          'tweet.fields': ['created_at', 'author_id', 'public_metrics'],
          expansions: ['author_id'],
          'user.fields': ['username'],
        }),
      );
      const t = res.data;
      if (!t) return { tweet: null, notAuthorized: (res.errors ?? []).some((e) => String(e.type).endsWith('not-authorized-for-resource')) };
      const author = res.includes?.users?.find((u) => u.id === t.author_id);
      const m = t.public_metrics;
      return {
        notAuthorized: false,
        tweet: {
          id: t.id,
          authorId: t.author_id ?? author?.id ?? '',
          authorHandle: author?.username ?? '',
          createdAt: t.created_at ? Date.parse(t.created_at) : 0,
          text: t.text,
          metrics: { likes: m?.like_count ?? 0, retweets: m?.retweet_count ?? 0, replies: m?.reply_count ?? 0, quotes: m?.quote_count ?? 0 },
        },
      };
    } catch (err) {
      // twitter-api-v2's ApiResponseError carries the HTTP status as `code`.
      const status = (err as { code?: unknown }).code;
      if (status === 404 || status === 400) return { tweet: null, notAuthorized: false };
      if (status === 403) return { tweet: null, notAuthorized: true };
      throw err;
    }
  };
  return async (tweetId) => {
    const first = await lookup(x.app(), tweetId);
    if (first.tweet || !first.notAuthorized || !opts.memberToken) return first.tweet;
    const token = await opts.memberToken();
    return token ? (await lookup(x.user(token).readOnly, tweetId)).tweet : null;
  };
}
