import { randomBytes } from 'node:crypto';
import { createDiscordDmNotifier, createLogger, createStores, createXClientFactory, SANDBOX_CREDENTIALS, withLease, type Stores } from '@engagement-tracker/core';
import { startTestRedis, type TestRedis } from '@engagement-tracker/core/testing';
import { MemberTokens, RunStats, TokenRevoked, WatermarkStore } from '@engagement-tracker/batch-job/engine';
import { startDiscordDouble, type DiscordDouble } from '@engagement-tracker/sandbox/discord';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTweetLookup, memberAccessToken } from '../src/x-lookup';

let x: XDouble;
let discord: DiscordDouble;
let redis: TestRedis;
let stores: Stores;
beforeAll(async () => {
  x = await startXDouble();
  discord = await startDiscordDouble({ guilds: [{ channels: [{ name: 'general' }], members: [{ id: '555000000000000010', username: 'gone' }, { id: '555000000000000011', username: 'flaky' }] }] });
  redis = await startTestRedis();
  stores = createStores(redis.client(), { prefix: `xl${randomBytes(3).toString('hex')}`, encryptionKey: randomBytes(32).toString('hex') });
});
afterAll(async () => {
  await x.close();
  await discord.close();
  await redis.stop();
});

describe('submission lookup', () => {
  it("looks a protected member's own post up with their token (the app cannot see it)", async () => {
    const f = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: 'sandbox-client', bearerToken: 'sandbox-bearer-token' });
    const locked = x.state.addUser({ username: 'locked_member', protected: true });
    const other = x.state.addUser({ username: 'someone_else' });
    const post = x.state.addTweet({ authorId: locked.id, text: 'members only' });
    const own = x.state.issueTokens(locked.id).accessToken;
    const stranger = x.state.issueTokens(other.id).accessToken;
    // the app alone: not visible
    expect(await createTweetLookup(f)(post.id)).toBeNull();
    // with the author's token: found, with its author and metrics
    expect(await createTweetLookup(f, { memberToken: async () => own })(post.id)).toMatchObject({ id: post.id, authorId: locked.id, authorHandle: 'locked_member' });
    // someone else's token still cannot see it; and a missing post is not retried with the token
    expect(await createTweetLookup(f, { memberToken: async () => stranger })(post.id)).toBeNull();
    let asked = 0;
    expect(await createTweetLookup(f, { memberToken: async () => (asked++, own) })('1234567890123456789')).toBeNull();
    expect(asked).toBe(0);
  });

  it("refreshes a protected member's expired token (once, under the batch's lock) to look up their own post", async () => {
    const f = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: SANDBOX_CREDENTIALS.TWITTER_CLIENT_ID, bearerToken: 'sandbox-bearer-token' });
    const locked = x.state.addUser({ username: 'locked_expired', protected: true });
    const post = x.state.addTweet({ authorId: locked.id, text: 'members only, later' });
    const issued = x.state.issueTokens(locked.id);
    const discordId = '555000000000000001';
    await stores.connections.link({ discordId, displayName: 'locked', xUserId: locked.id, handle: 'locked_expired', scopes: issued.scopes, tokens: { accessToken: issued.accessToken, refreshToken: issued.refreshToken!, expiresAt: issued.expiresAt, scopes: issued.scopes } });
    // two hours later the access token has expired
    x.state.expireAccessTokens(locked.id);
    await stores.connections.saveTokens(discordId, { ...(await stores.connections.getTokens(discordId))!, expiresAt: Date.now() - 1 });
    const deps = { stores, x: f, now: () => Date.now() };
    const refreshes = () => x.requests.filter((r) => r.endpoint === 'oauth' && r.path.endsWith('/token')).length;
    const before = refreshes();
    // two submissions at once: one refresh (refresh tokens are single use), both get the new token
    const [a, b] = (await Promise.all([memberAccessToken(deps, discordId), memberAccessToken(deps, discordId)])).map((t) => t.token);
    expect(a).toMatch(/^ua-/);
    expect(b).toBe(a);
    expect(a).not.toBe(issued.accessToken);
    expect(refreshes() - before).toBe(1);
    expect((await stores.connections.getTokens(discordId))!.accessToken).toBe(a);
    expect(await createTweetLookup(f, { memberToken: async () => (await memberAccessToken(deps, discordId)).token })(post.id)).toMatchObject({ id: post.id, authorId: locked.id });
    // a grant X no longer honours: no token, no error (the member must reconnect); not linked: no token
    x.state.expireAccessTokens(locked.id);
    await stores.connections.saveTokens(discordId, { ...(await stores.connections.getTokens(discordId))!, expiresAt: Date.now() - 1 });
    x.state.revokeUser(locked.id);
    expect(await memberAccessToken(deps, discordId)).toEqual({ token: null, reconnect: true });
    expect(await memberAccessToken(deps, '555000000000000002')).toEqual({ token: null });
  });

  it("waits as long as someone else may hold the member's refresh lock (a slow X), and takes the token they save", async () => {
    const f = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: SANDBOX_CREDENTIALS.TWITTER_CLIENT_ID, bearerToken: 'sandbox-bearer-token' });
    const locked = x.state.addUser({ username: 'locked_slow', protected: true });
    const issued = x.state.issueTokens(locked.id);
    const discordId = '555000000000000003';
    await stores.connections.link({ discordId, displayName: 'slow', xUserId: locked.id, handle: 'locked_slow', scopes: issued.scopes, tokens: { accessToken: issued.accessToken, refreshToken: issued.refreshToken!, expiresAt: Date.now() - 1, scopes: issued.scopes } });
    const refreshes = () => x.requests.filter((r) => r.endpoint === 'oauth' && r.path.endsWith('/token')).length;
    const before = refreshes();
    // The batch holds the member's refresh lock for 3 s (a slow X), then saves the token it got.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const batch = withLease(stores.ctx, stores.keys.wmRefresh(discordId), 30_000, async () => {
      await held;
      await stores.connections.saveTokens(discordId, { accessToken: 'batch-refreshed', refreshToken: 'next', expiresAt: Date.now() + 7_200_000, scopes: issued.scopes }, { xUserId: locked.id });
    });
    let answered = false;
    const lookup = memberAccessToken({ stores, x: f, now: () => Date.now() }, discordId).finally(() => (answered = true));
    await new Promise((r) => setTimeout(r, 3000));
    expect(answered).toBe(false);
    release();
    expect((await lookup).token).toBe('batch-refreshed');
    expect((await batch).ran).toBe(true);
    expect(refreshes() - before).toBe(0);
  });

  /** A protected member linked with tokens whose access token has expired (the next use refreshes). */
  async function expiredMember(discordId: string, username: string) {
    const user = x.state.addUser({ username, protected: true });
    const issued = x.state.issueTokens(user.id, undefined, SANDBOX_CREDENTIALS.TWITTER_CLIENT_ID);
    await stores.connections.link({ discordId, displayName: username, xUserId: user.id, handle: username, scopes: issued.scopes, tokens: { accessToken: issued.accessToken, refreshToken: issued.refreshToken!, expiresAt: Date.now() - 1, scopes: issued.scopes } });
    return user;
  }
  const factory = (timeoutMs?: number) =>
    createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: SANDBOX_CREDENTIALS.TWITTER_CLIENT_ID, bearerToken: 'sandbox-bearer-token', ...(timeoutMs ? { timeoutMs } : {}) });
  const logger = createLogger('test', 'silent');
  const notify = () => createDiscordDmNotifier({ apiBaseUrl: discord.url, botToken: discord.botToken, logger });

  it('a refresh X refuses (dead grant) marks the member needs_reconnect at once and DMs them once, shared with the batch', async () => {
    const discordId = '555000000000000010';
    const user = await expiredMember(discordId, 'locked_gone');
    x.state.revokeUser(user.id);
    const deps = { stores, x: factory(), now: () => Date.now(), notify: notify(), logger };
    const linkedAt = (await stores.connections.get(discordId))!.linkedAt;
    expect(await memberAccessToken(deps, discordId)).toEqual({ token: null, reconnect: true });
    expect(await stores.connections.get(discordId)).toMatchObject({ status: 'needs_reconnect', linkedAt });
    const dm = await discord.waitForDm(discordId);
    expect(dm.content).toMatch(/Run \/connect/);
    // Asked again (another /submit), or the batch finding the same dead grant: no second DM.
    expect(await memberAccessToken(deps, discordId)).toEqual({ token: null, reconnect: true });
    const stats = new RunStats();
    const batch = new MemberTokens({ stores, wm: new WatermarkStore(stores.ctx), x: deps.x, now: deps.now, stats, logger, notify: deps.notify });
    const conn = { ...(await stores.connections.get(discordId))!, status: 'linked' as const };
    await expect(batch.revoked(conn, 'X refused to refresh the authorization')).rejects.toBeInstanceOf(TokenRevoked);
    expect(stats.get('membersNeedReconnect')).toBe(1);
    expect(stats.get('membersToldToReconnect')).toBe(0);
    expect(discord.dms(discordId)).toHaveLength(1);
  });

  it('a refresh X does not answer (5xx, connection closed, timeout) marks nothing and tells nobody; the next one works', async () => {
    const discordId = '555000000000000011';
    await expiredMember(discordId, 'locked_flaky');
    const deps = { stores, x: factory(1500), now: () => Date.now(), notify: notify(), logger };
    x.state.expireAccessTokens((await stores.connections.get(discordId))!.xUserId);
    x.fail({ endpoint: 'oauth', status: 503 });
    expect(await memberAccessToken(deps, discordId)).toEqual({ token: null });
    x.fail({ endpoint: 'oauth', close: true });
    expect(await memberAccessToken(deps, discordId)).toEqual({ token: null });
    x.fail({ endpoint: 'oauth', delayMs: 4000, status: 503 }); // longer than the client's timeout
    expect(await memberAccessToken(deps, discordId)).toEqual({ token: null });
    expect((await stores.connections.get(discordId))!.status).toBe('linked');
    expect(discord.dms(discordId)).toHaveLength(0);
    // X answers again: the same (unspent) refresh token works
    const again = await memberAccessToken(deps, discordId);
    expect(again.token).toMatch(/^ua-/);
    expect((await stores.connections.getTokens(discordId))!.accessToken).toBe(again.token);
  });
});
