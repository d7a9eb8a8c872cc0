import { createXClientFactory } from '@engagement-tracker/core';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemberThrottled, RunStats, StopRun, XGateway } from '../src/engine';

let x: XDouble;
beforeAll(async () => {
  x = await startXDouble({ limits: { tweets_lookup: { app: 3 } } });
});
afterAll(async () => {
  await x.close();
});

describe('XGateway against the X double', () => {
  it('never sends, even concurrently, more requests than the rate-limit headers allow', async () => {
    const alice = x.state.addUser({ username: 'alice' });
    const post = x.state.addTweet({ authorId: alice.id });
    const factory = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, bearerToken: 'sandbox-bearer-token', timeoutMs: 5000 });
    const stats = new RunStats();
    const gw = new XGateway({ now: () => x.state.now(), maxBilledResources: 0, deadlineAt: 0, retries: 0, backoffMs: 1 }, stats);
    const get = () => gw.get('tweets_lookup', factory.app(), 'app', 'tweets', { ids: post.id });
    await get(); // the headers now say 2 are left in this window
    expect(gw.remaining('tweets_lookup', 'app')).toBe(2);
    const results = await Promise.allSettled(Array.from({ length: 6 }, get));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof StopRun)).toBe(true);
    expect(x.requests.filter((q) => q.endpoint === 'tweets_lookup').map((q) => q.status)).toEqual([200, 200, 200]);
    expect(stats.get('rateLimited') ?? 0).toBe(0);
    expect(stats.get('refusedAvoided')).toBe(4);
  });

  it("a 429 on a member's own bucket skips that member (MemberThrottled); the app's 24-hour allowance used up stops the run", async () => {
    const bob = x.state.addUser({ username: 'bob' });
    const factory = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, bearerToken: 'sandbox-bearer-token', timeoutMs: 5000 });
    const stats = new RunStats();
    const gw = new XGateway({ now: () => x.state.now(), maxBilledResources: 0, deadlineAt: 0, retries: 0, backoffMs: 1 }, stats);
    const own = factory.user(x.state.issueTokens(bob.id).accessToken);
    const likes = () => gw.get('liked_tweets', own, 'user:400000000000000001', `users/${bob.id}/liked_tweets`, { max_results: 10 });
    x.fail({ endpoint: 'liked_tweets', status: 429, count: 1 });
    const member = await likes().catch((e: unknown) => e);
    expect(member).toBeInstanceOf(MemberThrottled);
    expect(member).toMatchObject({ discordId: '400000000000000001', endpoint: 'liked_tweets' });
    expect((member as MemberThrottled).resetAt).toBeGreaterThan(x.state.now());
    x.fail({ endpoint: 'liked_tweets', status: 429, count: 1, headers: { 'x-app-limit-24hour-limit': '100000', 'x-app-limit-24hour-remaining': '0', 'x-app-limit-24hour-reset': String(Math.ceil(x.state.now() / 1000) + 3600) } });
    expect(await likes().catch((e: unknown) => e)).toBeInstanceOf(StopRun);
    // an app-token 429 stops the run as before
    x.fail({ endpoint: 'users_lookup', status: 429, count: 1 });
    expect(await gw.get('users_lookup', factory.app(), 'app', 'users', { ids: bob.id }).catch((e: unknown) => e)).toBeInstanceOf(StopRun);
    expect(stats.get('rateLimited')).toBe(3);
  });
});
