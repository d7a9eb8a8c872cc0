import { createLogger, createXClientFactory } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { memberDiscordId } from '@engagement-tracker/sandbox/x';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemberTokens, RunStats, StopRun, TokenRevoked, WatermarkStore } from '../src/engine';
import { SIM_END, startSim, type Sim } from './harness';

let server: TestRedisServer;
let redis: Redis;
let s: Sim;

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.client();
  s = await startSim(redis, { seed: 31, members: 6, tweets: 1, hours: 1 });
  await s.advanceTo(SIM_END);
});
afterAll(async () => {
  await s?.close();
  await server?.stop();
});

function tokens() {
  return new MemberTokens({
    stores: s.stores, wm: new WatermarkStore(redis, s.stores.keys.prefix), x: s.factory, now: () => s.sc.now(),
    stats: new RunStats(), logger: createLogger('test', 'silent'), sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
}

describe('member tokens', () => {
  it('refreshes an expired token once even when two processes need it at the same time', async () => {
    const id = memberDiscordId(0);
    const conn = (await s.stores.connections.get(id))!;
    const stored = (await s.stores.connections.getTokens(id))!;
    await s.stores.connections.saveTokens(id, { ...stored, expiresAt: s.sc.now() - 1 });
    s.sc.state.expireAccessTokens(conn.xUserId);
    const before = (await s.stores.connections.getTokens(id))!;
    const refreshesBefore = s.x.requestsTo('oauth').length;
    // two independent "processes" (separate caches), same Redis
    const [a, b] = await Promise.all([tokens().client(conn), tokens().client(conn)]);
    expect(s.x.requestsTo('oauth').length - refreshesBefore).toBe(1);
    const after = (await s.stores.connections.getTokens(id))!;
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.expiresAt).toBeGreaterThan(s.sc.now());
    for (const c of [a, b]) expect((await c.v2.me()).data.id).toBe(conn.xUserId);
  });

  it('a 429 from the token endpoint stops the run (partial) without marking the member needs_reconnect', async () => {
    const id = memberDiscordId(2);
    const conn = (await s.stores.connections.get(id))!;
    const stored = (await s.stores.connections.getTokens(id))!;
    await s.stores.connections.saveTokens(id, { ...stored, expiresAt: s.sc.now() - 1 });
    s.x.fail({ endpoint: 'oauth', status: 429 });
    await expect(tokens().client(conn)).rejects.toBeInstanceOf(StopRun);
    expect((await s.stores.connections.get(id))!.status).toBe('linked');
    // the refresh token was not spent: the next run refreshes with it
    const c = await tokens().client(conn);
    expect((await c.v2.me()).data.id).toBe(conn.xUserId);
  });

  it('never spends the tokens of a member who relinked another X account since the run loaded them', async () => {
    const id = memberDiscordId(3);
    const stale = (await s.stores.connections.get(id))!;
    await s.stores.connections.unlink(id, 'test');
    const other = s.sc.state.addUser({ username: 'second_account' });
    const t = s.sc.state.issueTokens(other.id);
    const fresh = { accessToken: t.accessToken, refreshToken: t.refreshToken!, expiresAt: s.sc.now() - 1, scopes: t.scopes };
    await s.stores.connections.link({ discordId: id, displayName: 'm3', xUserId: other.id, handle: other.username, scopes: t.scopes, tokens: fresh });
    const oauthBefore = s.x.requestsTo('oauth').length;
    const err = await tokens().client(stale).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenRevoked);
    expect(s.x.requestsTo('oauth').length).toBe(oauthBefore);
    expect((await s.stores.connections.getTokens(id))!.refreshToken).toBe(t.refreshToken);
    expect((await s.stores.connections.get(id))!.status).toBe('linked');
  });

  it('holds the refresh lock longer than a refresh request may take', async () => {
    const id = memberDiscordId(4);
    const conn = (await s.stores.connections.get(id))!;
    const stored = (await s.stores.connections.getTokens(id))!;
    await s.stores.connections.saveTokens(id, { ...stored, expiresAt: s.sc.now() - 1 });
    const slow = createXClientFactory({ ...s.factory.config, timeoutMs: 60_000 });
    const t = new MemberTokens({ stores: s.stores, wm: new WatermarkStore(redis, s.stores.keys.prefix), x: slow, now: () => s.sc.now(), stats: new RunStats(), logger: createLogger('test', 'silent') });
    s.x.fail({ endpoint: 'oauth', delayMs: 1000 });
    const refreshing = t.client(conn);
    const key = `${s.stores.keys.prefix}:xwm:refresh:${id}`;
    await vi.waitFor(async () => expect(await redis.exists(key)).toBe(1), { timeout: 10_000, interval: 5 });
    expect(await redis.pttl(key)).toBeGreaterThan(60_000);
    await refreshing;
  });

  it('marks a member whose grant was revoked as needs_reconnect', async () => {
    const id = memberDiscordId(1);
    const conn = (await s.stores.connections.get(id))!;
    s.sc.state.revokeUser(conn.xUserId);
    // as after a 401: a forced refresh, which X refuses
    await expect(tokens().client(conn, { force: true })).rejects.toBeInstanceOf(TokenRevoked);
    expect((await s.stores.connections.get(id))!.status).toBe('needs_reconnect');
  });
});
