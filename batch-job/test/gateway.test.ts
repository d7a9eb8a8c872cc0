import { createXClientFactory } from '@engagement-tracker/core';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStats, StopRun, XGateway } from '../src/engine';

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
});
