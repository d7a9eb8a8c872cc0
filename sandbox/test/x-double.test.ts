import { createXClientFactory, exchangeCode, generateAuthLink, refreshTokens, type XClientFactory } from '@engagement-tracker/core';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { ApiResponseError } from 'twitter-api-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let x: XDouble;
let f: XClientFactory;

beforeAll(async () => {
  x = await startXDouble({ clients: { 'client-1': 'secret-1' }, limits: { retweeted_by: { app: 3 } } });
  f = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: 'client-1', clientSecret: 'secret-1', bearerToken: 'sandbox-bearer-token' });
});
afterAll(() => x.close());

async function connect(userId: string) {
  const redirectUri = 'http://127.0.0.1:9/connect/x/callback';
  const link = generateAuthLink(f, redirectUri);
  expect(link.url.startsWith(`${x.url}/i/oauth2/authorize?`)).toBe(true);
  const res = await fetch(`${link.url}&as=${userId}`, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location')!);
  expect(back.searchParams.get('state')).toBe(link.state);
  return { code: back.searchParams.get('code')!, codeVerifier: link.codeVerifier, redirectUri };
}

describe('X double with the real twitter-api-v2 client', () => {
  it('runs the OAuth 2.0 PKCE flow, checks the verifier and rotates single-use refresh tokens', async () => {
    const alice = x.state.addUser({ username: 'alice_pkce' });
    const grant = await connect(alice.id);
    await expect(exchangeCode(f, { ...grant, codeVerifier: 'wrong-verifier-wrong-verifier-wrong-verifier' })).rejects.toBeInstanceOf(ApiResponseError);
    const grant2 = await connect(alice.id);
    const linked = await exchangeCode(f, grant2);
    expect(linked.user).toMatchObject({ id: alice.id, username: 'alice_pkce' });
    expect(linked.tokens.scopes).toContain('like.read');
    expect(linked.tokens.refreshToken).toBeTruthy();
    // a code is single use
    await expect(exchangeCode(f, grant2)).rejects.toBeInstanceOf(ApiResponseError);

    const next = await refreshTokens(f, linked.tokens.refreshToken!);
    expect(next.refreshToken).not.toBe(linked.tokens.refreshToken);
    const me = await f.user(next.accessToken).v2.me();
    expect(me.data.id).toBe(alice.id);
    // replaying the used refresh token fails and revokes the family
    await expect(refreshTokens(f, linked.tokens.refreshToken!)).rejects.toBeInstanceOf(ApiResponseError);
    await expect(f.user(next.accessToken).v2.me()).rejects.toMatchObject({ code: 401 });
  });

  it('shows an account picker without ?as and honours approveAs(state)', async () => {
    const bob = x.state.addUser({ username: 'bob_picker' });
    const link = generateAuthLink(f, 'http://127.0.0.1:9/cb');
    const page = await fetch(link.url, { redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('@bob_picker');
    x.state.approveAs(link.state, bob.id);
    const res = await fetch(link.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const linked = await exchangeCode(f, { code, codeVerifier: link.codeVerifier, redirectUri: 'http://127.0.0.1:9/cb' });
    expect(linked.user.id).toBe(bob.id);
  });

  it('looks up tweets with public_metrics and author expansion, and reports missing ones', async () => {
    const author = x.state.addUser({ username: 'author_1' });
    const fan = x.state.addUser({ username: 'fan_1' });
    const t = x.state.addTweet({ authorId: author.id, text: 'hello world' });
    x.state.like(fan.id, t.id);
    x.state.retweet(fan.id, t.id);
    x.state.reply(fan.id, t.id);
    x.state.addHiddenLikes(t.id, 10);
    const gone = x.state.addTweet({ authorId: author.id });
    x.state.deleteTweet(gone.id);
    const res = await f.app().v2.tweets([t.id, gone.id], { 'tweet.fields': ['public_metrics', 'created_at', 'author_id'], expansions: ['author_id'] });
    expect(res.data).toHaveLength(1);
    expect(res.data[0]!.public_metrics).toMatchObject({ like_count: 11, retweet_count: 1, reply_count: 1, quote_count: 0 });
    expect(res.data[0]!.author_id).toBe(author.id);
    expect(res.includes?.users?.[0]?.username).toBe('author_1');
    expect(res.errors?.[0]).toMatchObject({ resource_id: gone.id, title: 'Not Found Error' });
    const one = await f.app().v2.singleTweet(t.id, { 'tweet.fields': ['created_at'] });
    expect(one.data.created_at).toBe(new Date(t.createdAt).toISOString());
    const byName = await f.app().v2.userByUsername('fan_1', { 'user.fields': ['public_metrics'] });
    expect(byName.data.public_metrics?.like_count).toBe(1);
    expect(byName.data.public_metrics?.tweet_count).toBe(2);
  });

  it('keeps likes private: liked_tweets only for the owner, liking_users only for the author', async () => {
    const author = x.state.addUser({ username: 'priv_author' });
    const fan = x.state.addUser({ username: 'priv_fan' });
    const t = x.state.addTweet({ authorId: author.id });
    x.state.like(fan.id, t.id);
    const fanTok = x.state.issueTokens(fan.id).accessToken;
    const authorTok = x.state.issueTokens(author.id).accessToken;
    const own = await f.user(fanTok).v2.userLikedTweets(fan.id, { max_results: 10 });
    expect(own.tweets.map((tw) => tw.id)).toEqual([t.id]);
    // sources disagree on liked_tweets' smallest page (5 or 10): the double refuses what some of X would
    await expect(f.user(fanTok).v2.userLikedTweets(fan.id, { max_results: 5 })).rejects.toMatchObject({ code: 400 });
    await expect(f.user(authorTok).v2.userLikedTweets(fan.id)).rejects.toMatchObject({ code: 403 });
    await expect(f.app().v2.tweetLikedBy(t.id)).rejects.toMatchObject({ code: 403 });
    await expect(f.user(fanTok).v2.tweetLikedBy(t.id)).rejects.toMatchObject({ code: 403 });
    const likers = await f.user(authorTok).v2.tweetLikedBy(t.id);
    expect(likers.data.map((u) => u.id)).toEqual([fan.id]);
  });

  it('pages with pagination tokens, honours since_id, and enforces page-size bounds', async () => {
    const u = x.state.addUser({ username: 'pager' });
    const ids = Array.from({ length: 12 }, (_, i) => x.state.addTweet({ authorId: u.id, createdAt: x.state.now() - (12 - i) * 1000 }).id);
    const tl = await f.app().v2.userTimeline(u.id, { max_results: 5 });
    expect(tl.tweets.map((t) => t.id)).toEqual(ids.slice(-5).reverse());
    await tl.fetchNext();
    await tl.fetchNext();
    expect(tl.done).toBe(true);
    expect(tl.tweets.map((t) => t.id)).toEqual([...ids].reverse());
    const since = await f.app().v2.userTimeline(u.id, { since_id: ids[9], max_results: 5 });
    expect(since.tweets.map((t) => t.id)).toEqual([ids[11], ids[10]]);
    await expect(f.app().v2.userTimeline(u.id, { max_results: 4 })).rejects.toMatchObject({ code: 400 });
    // a token the listing did not issue is refused, as X does (not read as "no more pages")
    await expect(f.app().v2.get(`users/${u.id}/tweets`, { pagination_token: 'not-a-token' })).rejects.toMatchObject({ code: 400 });
    const likes = x.state.addUser({ username: 'pager_likes' });
    for (const id of ids) x.state.like(likes.id, id);
    const access = x.state.issueTokens(likes.id).accessToken;
    const liked = await f.user(access).v2.get<{ meta: { next_token: string } }>(`users/${likes.id}/liked_tweets`, { max_results: 10 });
    await expect(f.app().v2.get(`users/${u.id}/tweets`, { pagination_token: liked.meta.next_token })).rejects.toMatchObject({ code: 400 });
    await expect(f.user(access).v2.get(`users/${likes.id}/liked_tweets`, { pagination_token: liked.meta.next_token })).resolves.toBeTruthy();
  });

  it("refuses a page size outside each endpoint's range, liked_tweets taking only the range every source accepts (10-100)", async () => {
    const author = x.state.addUser({ username: 'range_author' });
    const post = x.state.addTweet({ authorId: author.id });
    x.state.like(author.id, post.id);
    const authorToken = x.state.issueTokens(author.id).accessToken;
    // [path, client, smallest page X documents (the safe one where sources disagree)]
    const endpoints: Array<[string, ReturnType<XClientFactory['app']>, number]> = [
      [`users/${author.id}/liked_tweets`, f.user(authorToken), 10],
      [`users/${author.id}/tweets`, f.app(), 5],
      [`tweets/${post.id}/liking_users`, f.user(authorToken), 1],
      // (with a user token: this suite gives retweeted_by a small app window)
      [`tweets/${post.id}/retweeted_by`, f.user(authorToken), 1],
      [`tweets/${post.id}/quote_tweets`, f.app(), 10],
      ['tweets/search/recent', f.app(), 10],
    ];
    for (const [path, client, min] of endpoints) {
      const params = (n: number) => ({ max_results: n, ...(path.startsWith('tweets/search') ? { query: 'from:range_author' } : {}) });
      await expect(client.v2.get(path, params(min - 1)), `${path} max_results=${min - 1}`).rejects.toMatchObject({ code: 400 });
      await expect(client.v2.get(path, params(101)), `${path} max_results=101`).rejects.toMatchObject({ code: 400 });
      await expect(client.v2.get(path, params(min)), `${path} max_results=${min}`).resolves.toBeTruthy();
      await expect(client.v2.get(path, params(100)), `${path} max_results=100`).resolves.toBeTruthy();
    }
  });

  it('searches the last 7 days only, with conversation_id and from:', async () => {
    const a = x.state.addUser({ username: 'srch_author' });
    const m1 = x.state.addUser({ username: 'srch_m1' });
    const m2 = x.state.addUser({ username: 'srch_m2' });
    const t = x.state.addTweet({ authorId: a.id });
    const r1 = x.state.reply(m1.id, t.id);
    x.state.reply(m2.id, t.id);
    const res = await f.app().v2.search(`conversation_id:${t.id} (from:srch_m1 OR from:nobody)`, { max_results: 10 });
    expect(res.tweets.map((tw) => tw.id)).toEqual([r1.id]);
    const old = new Date(x.state.now() - 8 * 86_400_000).toISOString();
    await expect(f.app().v2.search(`from:srch_m1`, { start_time: old })).rejects.toMatchObject({ code: 400 });
  });

  it('sends real rate-limit headers and answers 429 when a window is used up', async () => {
    const a = x.state.addUser({ username: 'rl_author' });
    const t = x.state.addTweet({ authorId: a.id });
    const before = x.requestsTo('retweeted_by').length;
    for (let i = 0; i < 3; i++) {
      const r = await f.app().v2.get(`tweets/${t.id}/retweeted_by`, undefined, { fullResponse: true });
      expect(r.rateLimit).toMatchObject({ limit: 3, remaining: 2 - i });
    }
    const err = await f.app().v2.tweetRetweetedBy(t.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiResponseError);
    expect((err as ApiResponseError).rateLimitError).toBe(true);
    expect((err as ApiResponseError).rateLimit?.reset).toBeGreaterThan(Date.now() / 1000);
    expect(x.requestsTo('retweeted_by').slice(before).map((r) => r.status)).toEqual([200, 200, 200, 429]);
    x.state.advance(15 * 60_000);
    await expect(f.app().v2.tweetRetweetedBy(t.id)).resolves.toBeTruthy();
  });

  it('bills every row of a like listing as a like object too, once per UTC day', async () => {
    x.billing.reset();
    const author = x.state.addUser({ username: 'bill_likes_author' });
    const fan = x.state.addUser({ username: 'bill_likes_fan' });
    const t = x.state.addTweet({ authorId: author.id });
    x.state.like(fan.id, t.id);
    const fanTok = x.state.issueTokens(fan.id).accessToken;
    const authorTok = x.state.issueTokens(author.id).accessToken;
    await f.user(fanTok).v2.userLikedTweets(fan.id, { max_results: 10 });
    await f.user(authorTok).v2.tweetLikedBy(t.id);
    await f.user(fanTok).v2.userLikedTweets(fan.id, { max_results: 10 });
    // one post, one user, and the one like (the same like object from both sides)
    expect(x.billing.summary()).toEqual({ posts: 1, users: 1, likes: 1, costUsd: 0.016 });
    expect(x.requestsTo('liked_tweets').slice(-2).map((r) => r.costUsd)).toEqual([0.006, 0]);
    // each response records, by id, what it newly billed (the bench prices its reasons from them)
    expect(x.requestsTo('liked_tweets').slice(-2).map((r) => r.billed)).toEqual([{ posts: [t.id], users: [], likes: [`${t.id}|${fan.id}`] }, undefined]);
    expect(x.requestsTo('liking_users').at(-1)!.billed).toEqual({ posts: [], users: [fan.id], likes: [] });
  });

  it('answers narrow searches from its indexes exactly as a scan would', async () => {
    const a = x.state.addUser({ username: 'idx_author' });
    const m1 = x.state.addUser({ username: 'idx_m1' });
    const m2 = x.state.addUser({ username: 'idx_m2' });
    const p = x.state.addTweet({ authorId: a.id });
    const q = x.state.addTweet({ authorId: a.id });
    const rt = x.state.retweet(m1.id, p.id);
    const rp = x.state.reply(m2.id, q.id);
    x.state.quote(a.id, p.id);
    x.state.reply(m1.id, rp.id);
    const search = async (query: string) => (await f.app().v2.search(query, { max_results: 10 })).tweets.map((t) => t.id).sort();
    expect(await search(`(from:${m1.id} OR from:idx_m2) (retweets_of_tweet_id:${p.id} OR conversation_id:${q.id})`)).toEqual([rt.id, rp.id, x.state.timelines.get(m1.id)!.at(-1)!].sort());
    expect(await search(`from:idx_m2 retweets_of_tweet_id:${p.id}`)).toEqual([]);
    expect(await search(`from:${m1.id} -is:retweet`)).toEqual([x.state.timelines.get(m1.id)!.at(-1)!]);
  });

  it('bills each post and user once per UTC day', async () => {
    x.billing.reset();
    const a = x.state.addUser({ username: 'bill_author' });
    const t1 = x.state.addTweet({ authorId: a.id });
    const t2 = x.state.addTweet({ authorId: a.id });
    await f.app().v2.tweets([t1.id, t2.id], { expansions: ['author_id'] });
    await f.app().v2.tweets([t1.id], { expansions: ['author_id'] });
    expect(x.billing.summary()).toEqual({ posts: 2, users: 1, likes: 0, costUsd: 0.02 });
    x.state.advance(86_400_000);
    await f.app().v2.tweets([t1.id]);
    expect(x.billing.summary()).toMatchObject({ posts: 3, users: 1 });
    // per UTC day, not per rolling 24 hours: a minute before midnight and a minute after are two days
    const day = 86_400_000;
    x.state.advance(day - (x.state.now() % day) - 60_000);
    await f.app().v2.tweets([t2.id]);
    expect(x.billing.summary()).toMatchObject({ posts: 4 });
    x.state.advance(2 * 60_000);
    await f.app().v2.tweets([t2.id]);
    expect(x.billing.summary()).toMatchObject({ posts: 5 });
    x.state.advance(23 * 3_600_000);
    await f.app().v2.tweets([t2.id]);
    expect(x.billing.summary()).toMatchObject({ posts: 5 });
  });

  it('injects 5xx faults', async () => {
    const a = x.state.addUser({ username: 'fault_author' });
    const t = x.state.addTweet({ authorId: a.id });
    x.fail({ endpoint: 'tweets_lookup', status: 503 });
    await expect(f.app().v2.tweets([t.id])).rejects.toMatchObject({ code: 503 });
    await expect(f.app().v2.tweets([t.id])).resolves.toBeTruthy();
  });
});
