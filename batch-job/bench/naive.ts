import type { Engagement, EngagementKind, Stores, XClientFactory } from '@engagement-tracker/core';
import { ApiResponseError, type TwitterApi, type TwitterApiReadOnly } from 'twitter-api-v2';

/**
 * The seed's design, for comparison: every run, for every tracked post, fetch all likers, all
 * retweeters, all quotes and all replies (pages of 100), and award the linked members among them.
 * Likes are private, so likers can only be listed with the author's own token; without it the
 * call is refused (403). 429s and refusals are counted and the call is skipped.
 */
export async function runNaive(stores: Stores, x: XClientFactory, runId: string, windowStart: number): Promise<{ refused: number; rateLimited: number }> {
  const tweets = await stores.tweets.listInWindow(windowStart);
  const conns = await stores.connections.listLinked();
  const byX = new Map(conns.map((c) => [c.xUserId, c]));
  const app = x.app();
  let refused = 0;
  let rateLimited = 0;
  const found: Engagement[] = [];

  async function all(client: TwitterApi | TwitterApiReadOnly, path: string, query: Record<string, string | number>): Promise<Array<{ id: string; author_id?: string }>> {
    const out: Array<{ id: string; author_id?: string }> = [];
    let token: string | undefined;
    for (;;) {
      try {
        const res = await client.v2.get<{ data?: Array<{ id: string; author_id?: string }>; meta?: { next_token?: string } }>(path, { ...query, max_results: 100, ...(token ? { [path.includes('search') ? 'next_token' : 'pagination_token']: token } : {}) });
        out.push(...(res.data ?? []));
        token = res.meta?.next_token;
        if (!token) return out;
      } catch (err) {
        if (err instanceof ApiResponseError && err.code === 429) rateLimited++;
        else if (err instanceof ApiResponseError && (err.code === 403 || err.code === 401)) refused++;
        else throw err;
        return out;
      }
    }
  }

  for (const t of tweets) {
    const author = byX.get(t.authorId);
    let likeClient: TwitterApi | TwitterApiReadOnly = app;
    if (author) {
      const tokens = await stores.connections.getTokens(author.discordId);
      if (tokens) likeClient = x.user(tokens.accessToken);
    }
    const add = (kind: EngagementKind, xIds: Array<string | undefined>) => {
      for (const id of xIds) {
        const c = id ? byX.get(id) : undefined;
        if (c) found.push({ tweetId: t.tweetId, discordId: c.discordId, kind });
      }
    };
    add('like', (await all(likeClient, `tweets/${t.tweetId}/liking_users`, {})).map((u) => u.id));
    add('retweet', (await all(app, `tweets/${t.tweetId}/retweeted_by`, {})).map((u) => u.id));
    add('quote', (await all(app, `tweets/${t.tweetId}/quote_tweets`, { 'tweet.fields': 'author_id' })).map((p) => p.author_id));
    add('reply', (await all(app, 'tweets/search/recent', { query: `conversation_id:${t.tweetId}`, 'tweet.fields': 'author_id' })).map((p) => p.author_id));
  }
  await stores.ledger.award({ batchId: runId, engagements: found });
  return { refused, rateLimited };
}
