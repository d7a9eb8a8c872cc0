import { markNeedsReconnect, REFRESH_REFUSED_REASON, refreshRefused, refreshTokens, retryRead, withLease, type Logger, type MemberNotifier, type Stores, type XClientFactory } from '@engagement-tracker/core';
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

/** A token this close to its expiry is refreshed first (a lookup must not race its end). */
const EARLY_REFRESH_MS = 60_000;
/** How often a lookup waiting for someone else's refresh of the member's token looks again. */
const LOCK_POLL_MS = 250;

/** What a member's own token is worth for a lookup: the token, or why there is none. */
export type MemberToken =
  | { token: string }
  /** The grant is dead (X refused to refresh it, now or before): the member must run /connect again. */
  | { token: null; reconnect: true }
  /** Not linked, or X did not answer the refresh (tried again next time). */
  | { token: null; reconnect?: false };

export interface MemberTokenDeps {
  stores: Stores;
  x: XClientFactory;
  now: () => number;
  /** Tells the member by DM (once per dead grant, shared with the batch) that they must run /connect. */
  notify?: MemberNotifier;
  logger?: Logger;
}

/**
 * The member's X access token for a lookup with their own rights, refreshed first when it has expired
 * (access tokens last 2 hours). Refresh tokens are single use: the refresh runs under the same
 * per-member lock as the batch job's (`wmRefresh`), and a token someone else refreshed meanwhile is
 * taken as it is (waited for as long as their lock can last). When X refuses the refresh for good
 * (the grant is dead), the member is marked needs_reconnect at once and told by DM, exactly as the
 * batch does (once per link, whichever finds it first); an X that does not answer marks nothing.
 */
export async function memberAccessToken(deps: MemberTokenDeps, discordId: string): Promise<MemberToken> {
  const { stores, x, now } = deps;
  const none = { token: null } as const;
  const fresh = (t: { expiresAt: number } | null) => !!t && t.expiresAt - EARLY_REFRESH_MS > now();
  const link = await stores.connections.get(discordId);
  if (link?.status === 'needs_reconnect') return { token: null, reconnect: true };
  const stale = link ? await stores.connections.getTokens(discordId) : null;
  if (!link || !stale) return none;
  if (fresh(stale)) return { token: stale.accessToken };
  const ttl = 2 * (x.config.timeoutMs ?? 15_000) + 10_000;
  // Another holder of the lock (the batch, another /submit) ends or loses it within `ttl`: wait that long at most.
  const waitUntil = Date.now() + ttl;
  for (;;) {
    const r = await withLease(stores.ctx, stores.keys.wmRefresh(discordId), ttl, async (): Promise<MemberToken> => {
      const current = await stores.connections.getTokens(discordId);
      if (!current) return none;
      if (current.accessToken !== stale.accessToken && fresh(current)) return { token: current.accessToken };
      if (!current.refreshToken) return none;
      try {
        const next = await refreshTokens(x, current.refreshToken, now());
        return (await stores.connections.saveTokens(discordId, next, { xUserId: link.xUserId })) ? { token: next.accessToken } : none;
      } catch (err) {
        if (!refreshRefused(err)) return none; // X unavailable or rate-limited: the grant may be fine
        const still = await stores.connections.get(discordId);
        if (still?.xUserId !== link.xUserId || still.linkedAt !== link.linkedAt) return none; // relinked meanwhile
        await markNeedsReconnect(deps, link, REFRESH_REFUSED_REASON);
        return { token: null, reconnect: true };
      }
    });
    if (r.ran) return r.value;
    if (Date.now() >= waitUntil) return none;
    // Someone is refreshing this member's token right now: take theirs once it is saved.
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    const now2 = await stores.connections.getTokens(discordId);
    if (now2 && now2.accessToken !== stale.accessToken && fresh(now2)) return { token: now2.accessToken };
    // ... or the grant they found dead (they marked it and told the member).
    if ((await stores.connections.get(discordId))?.status === 'needs_reconnect') return { token: null, reconnect: true };
  }
}
