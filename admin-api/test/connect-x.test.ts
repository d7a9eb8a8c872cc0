import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectTicketSigner, connectStartUrl, createLogger, createRedis, createStores, createXClientFactory, type Stores } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { createConnectXRouter } from '../src/connect';
import type { HeldRetryOptions } from '../src/connect/held-finisher';

let redis: TestRedisServer;
let x: XDouble;
let stores: Stores;
let server: Server;
let base: string;
let clock = Date.now();
const notices: Array<[string, string]> = [];
const key = randomBytes(32).toString('hex');
const signer = new ConnectTicketSigner(key, () => clock);

/** The admin API's connect routes on their own server: `heldRetry` as given (production defaults otherwise). */
async function connectServer(heldRetry?: HeldRetryOptions) {
  const app = express();
  const logger = createLogger('connect-x-test', 'silent');
  const srv = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const router = createConnectXRouter({
    stores,
    x: createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: 'sandbox-client' }),
    publicBaseUrl: url,
    encryptionKey: key,
    logger,
    now: () => clock,
    notify: async (id, text) => {
      notices.push([id, text]);
      return true;
    },
    ...(heldRetry ? { heldRetry } : {}),
  });
  app.use(router);
  routers.push(router);
  return { server: srv, url };
}
const routers: Array<{ close(): void }> = [];
/** A second admin API whose own retries of a held authorization come fast (a gap of 300 ms, up to 600 ms). */
let fast: { server: Server; url: string };
const FAST_GAP_MS = 300;

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  x = await startXDouble();
  stores = createStores(createRedis(redis.url), { prefix: `cx${randomBytes(3).toString('hex')}`, encryptionKey: key });
  ({ server, url: base } = await connectServer());
  fast = await connectServer({ gapMs: FAST_GAP_MS, maxDelayMs: 2 * FAST_GAP_MS });
});

afterAll(async () => {
  for (const r of routers) r.close();
  await new Promise((r) => fast?.server.close(r));
  await new Promise((r) => server?.close(r));
  stores?.ctx.redis.disconnect();
  await x?.close();
  await redis?.stop();
});

const ticketFor = (discordId: string, at = base) => connectStartUrl(at, signer.sign({ kind: 'ticket', discordId, displayName: `member ${discordId}` }).token);
/** A browser: follows nothing by itself, keeps the cookies the admin API sets (one jar, enough here). */
function browser() {
  const jar = new Map<string, string>();
  return async (url: string) => {
    const res = await fetch(url, { redirect: 'manual', headers: jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {} });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const value = pair!.slice(i + 1);
      if (value) jar.set(pair!.slice(0, i), value);
      else jar.delete(pair!.slice(0, i));
    }
    return res;
  };
}
const get = browser();

/** Link `discordId` to a new X account, X answering 503 to the next `failures` /2/users/me: the callback's answer. */
async function callbackWhileMeFails(username: string, discordId: string, failures: number, via = { url: base, get }) {
  const xu = x.state.addUser({ username });
  x.state.authorizeAs = xu.id;
  const start = await via.get(ticketFor(discordId, via.url));
  const approved = await via.get(start.headers.get('location')!);
  x.state.authorizeAs = null;
  x.fail({ endpoint: 'users_me', status: 503, count: failures });
  const exchanges = x.requests.filter((r) => r.endpoint === 'oauth').length;
  return { xu, exchanges, cb: await via.get(approved.headers.get('location')!) };
}

describe('createConnectXRouter', () => {
  it('redirects to X with PKCE (S256) and keeps the verifier in Redis only', async () => {
    const res = await get(ticketFor('111111'));
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const loc = new URL(res.headers.get('location')!);
    expect(loc.searchParams.get('client_id')).toBe('sandbox-client');
    expect(loc.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = loc.searchParams.get('state')!;
    const v = signer.verify(state, 'state');
    expect(v.ok).toBe(true);
    const pending = JSON.parse((await stores.ctx.redis.get(stores.keys.connectPending(v.ok ? v.ticket.nonce : '')))!);
    expect(pending.discordId).toBe('111111');
    expect(res.headers.get('location')).not.toContain(pending.codeVerifier);
  });

  it('refuses missing, forged, wrong-kind, expired and reused tickets', async () => {
    expect((await get(`${base}/connect/x/start`)).status).toBe(400);
    expect((await get(`${base}/connect/x/start?ticket=abc.def.ghi`)).status).toBe(400);
    const other = new ConnectTicketSigner(randomBytes(32).toString('hex'));
    expect((await get(connectStartUrl(base, other.sign({ kind: 'ticket', discordId: '1', displayName: 'x' }).token))).status).toBe(400);
    // a state token is not a ticket
    expect((await get(connectStartUrl(base, signer.sign({ kind: 'state', discordId: '1', displayName: 'x' }).token))).status).toBe(400);
    const link = ticketFor('222222');
    clock += 11 * 60_000;
    expect((await get(link)).status).toBe(410);
    clock = Date.now();
    const fresh = ticketFor('222222');
    expect((await get(fresh)).status).toBe(302);
    const reused = await get(fresh);
    expect(reused.status).toBe(409);
    expect(await reused.text()).toContain('already used');
  });

  it('handles a declined authorization, a bad code and a forged state without linking', async () => {
    const start = await get(ticketFor('333333'));
    const authorize = new URL(start.headers.get('location')!);
    authorize.searchParams.set('deny', '1');
    const declined = await get(authorize.toString());
    const cb = await get(declined.headers.get('location')!);
    expect(cb.status).toBe(400);
    expect(await cb.text()).toContain('Linking cancelled');

    const start2 = await get(ticketFor('333333'));
    const state = new URL(start2.headers.get('location')!).searchParams.get('state')!;
    const bad = await get(`${base}/connect/x/callback?code=not-a-code&state=${encodeURIComponent(state)}`);
    expect(bad.status).toBe(502);
    const forged = signer.sign({ kind: 'state', discordId: '333333', displayName: 'x' }); // signed, but no pending record
    const withCookie = await fetch(`${base}/connect/x/callback?code=c&state=${encodeURIComponent(forged.token)}`, { redirect: 'manual', headers: { cookie: `et_connect=${forged.ticket.nonce}` } });
    expect(withCookie.status).toBe(409);
    expect((await get(`${base}/connect/x/callback?code=c&state=garbage.garbage`)).status).toBe(400);
    expect(await stores.connections.get('333333')).toBeNull();
  });

  it('retries /2/users/me after the code exchange when X answers 5xx, and links with the tokens it got', async () => {
    const { xu, exchanges, cb } = await callbackWhileMeFails('flaky_me', '777777', 2);
    expect(cb.status).toBe(200);
    const link = await stores.connections.get('777777');
    expect(link).toMatchObject({ status: 'linked', xUserId: xu.id });
    expect(await stores.connections.getTokens('777777')).toMatchObject({ accessToken: expect.stringMatching(/^ua-/) });
    // one code exchange, three /2/users/me (two refused), all with the same new token
    expect(x.requests.filter((r) => r.endpoint === 'oauth').length - exchanges).toBe(1);
    expect(x.requestsTo('users_me').slice(-3).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('keeps the tokens when /2/users/me keeps failing after the code exchange, and links from the same browser once X answers', async () => {
    const { xu, exchanges, cb } = await callbackWhileMeFails('down_me', '888888', 4);
    expect(cb.status).toBe(503);
    const html = await cb.text();
    expect(html).toContain('Almost linked');
    const retry = /href="([^"]+)"/.exec(html)![1]!.replace(/&#38;/g, '&');
    expect(retry).toMatch(/^\/connect\/x\/finish\?state=/);
    expect(await stores.connections.get('888888')).toBeNull();
    // the tokens are kept, encrypted: the access token is nowhere in Redis in clear
    const held = await stores.ctx.redis.keys(`${stores.keys.connectHeld('*')}`);
    expect(held).toHaveLength(1);
    expect(x.requestsTo('users_me').at(-1)).toMatchObject({ userId: xu.id, status: 503 });
    const raw = (await stores.ctx.redis.get(held[0]!))!;
    for (const t of x.state.accessTokens.keys()) expect(raw).not.toContain(t);
    // another browser cannot finish it
    expect((await fetch(`${base}${retry}`, { redirect: 'manual' })).status).toBe(400);
    // X answers again: the same browser finishes with the kept tokens, no second code exchange
    const done = await get(`${base}${retry}`);
    expect(done.status).toBe(200);
    expect(await stores.connections.get('888888')).toMatchObject({ status: 'linked', xUserId: xu.id });
    expect(await stores.connections.getTokens('888888')).toMatchObject({ accessToken: expect.stringMatching(/^ua-/) });
    expect(x.requests.filter((r) => r.endpoint === 'oauth').length - exchanges).toBe(1);
    expect(notices.at(-1)).toEqual(['888888', expect.stringContaining('is now linked')]);
    expect(await stores.ctx.redis.keys(`${stores.keys.connectHeld('*')}`)).toEqual([]);
    expect((await get(`${base}${retry}`)).status).toBe(400);
  });

  it('finishes linking by itself once X answers /2/users/me again: no click, one code exchange, the tokens kept until then', async () => {
    const b = browser();
    const startedAt = Date.now();
    // 4 failures inside the callback, then 3 more for the server's own retries, then X answers
    const { xu, exchanges, cb } = await callbackWhileMeFails('back_later', '999001', 4 + 3, { url: fast.url, get: b });
    expect(cb.status).toBe(503);
    const html = await cb.text();
    expect(html).toContain('Almost linked');
    // the page itself opens /connect/x/finish again after a while (no script)
    const refresh = /<meta http-equiv="refresh" content="(\d+);url=([^"]+)">/.exec(html)!;
    expect(Number(refresh[1])).toBeGreaterThanOrEqual(1);
    const finishHref = refresh[2]!.replace(/&#38;/g, '&');
    expect(finishHref).toMatch(/^\/connect\/x\/finish\?state=/);
    expect(await stores.connections.get('999001')).toBeNull();
    // Nobody touches the page: the server asks X again with backoff and links.
    await expect.poll(() => stores.connections.get('999001'), { timeout: 60_000, interval: 100 }).toMatchObject({ status: 'linked', xUserId: xu.id });
    expect(await stores.connections.getTokens('999001')).toMatchObject({ accessToken: expect.stringMatching(/^ua-/) });
    expect(x.requests.filter((r) => r.endpoint === 'oauth').length - exchanges).toBe(1);
    const me = x.requestsTo('users_me').filter((r) => r.userId === xu.id).map((r) => r.status);
    expect(me).toEqual([503, 503, 503, 503, 503, 503, 503, 200]);
    // backoff: the server's 4 attempts were a gap, then two gaps, then (capped) two gaps apart, at the least
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(7 * FAST_GAP_MS);
    await expect.poll(() => notices.find(([id]) => id === '999001')?.[1]).toContain('is now linked');
    expect(await stores.ctx.redis.keys(`${stores.keys.connectHeld('*')}`)).toEqual([]);
    // the member's page, when it refreshes, shows the link (and forgets the browser binding)
    const shown = await b(`${fast.url}${finishHref}`);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain('Linked @back_later');
    expect((await b(`${fast.url}${finishHref}`)).status).toBe(400);
  });

  it('asks X again at most once a gap per held authorization, however often the page is reloaded', async () => {
    const b = browser();
    const { xu, cb } = await callbackWhileMeFails('reloads', '999002', 1000, { url: fast.url, get: b });
    const finishHref = /url=([^"]+)">/.exec(await cb.text())![1]!.replace(/&#38;/g, '&');
    const asked = () => x.requestsTo('users_me').filter((r) => r.userId === xu.id).length;
    const before = asked();
    const t0 = Date.now();
    const pages = await Promise.all(Array.from({ length: 10 }, () => b(`${fast.url}${finishHref}`)));
    const elapsed = Date.now() - t0;
    for (const p of pages) expect(p.status).toBe(503);
    // ten reloads at once, and the server's own attempts: one request to X per gap at most
    expect(asked() - before).toBeLessThanOrEqual(1 + Math.ceil(elapsed / FAST_GAP_MS));
    expect(asked() - before).toBeLessThan(10);
    expect(await stores.ctx.redis.keys(`${stores.keys.connectHeld('*')}`)).toHaveLength(1);
    x.clearFaults();
    await expect.poll(() => stores.connections.get('999002'), { timeout: 60_000, interval: 100 }).toMatchObject({ status: 'linked', xUserId: xu.id });
  });

  it('keeps the tokens when X rate-limits /2/users/me (429) after the code exchange, and drops them when X refuses them (401)', async () => {
    const b = browser();
    const xu = x.state.addUser({ username: 'limited_me' });
    x.state.authorizeAs = xu.id;
    const approved = await b((await b(ticketFor('999003', fast.url))).headers.get('location')!);
    x.state.authorizeAs = null;
    x.fail({ endpoint: 'users_me', status: 429 });
    const cb = await b(approved.headers.get('location')!);
    expect(cb.status).toBe(503);
    expect(await cb.text()).toContain('Almost linked');
    await expect.poll(() => stores.connections.get('999003'), { timeout: 60_000, interval: 100 }).toMatchObject({ status: 'linked', xUserId: xu.id });
    expect(x.requestsTo('users_me').filter((r) => r.userId === xu.id).map((r) => r.status)).toEqual([429, 200]);

    // Tokens X no longer accepts (the member revoked the app meanwhile): dropped, nothing linked.
    const revoked = x.state.addUser({ username: 'revoked_me' });
    x.state.authorizeAs = revoked.id;
    const approved2 = await b((await b(ticketFor('999004', fast.url))).headers.get('location')!);
    x.state.authorizeAs = null;
    x.fail({ endpoint: 'users_me', status: 503, count: 4 }); // the callback's four attempts
    x.fail({ endpoint: 'users_me', status: 401 }); // then the server's first one
    const held = await b(approved2.headers.get('location')!);
    expect(held.status).toBe(503);
    const finishHref = /url=([^"]+)">/.exec(await held.text())![1]!.replace(/&#38;/g, '&');
    await expect.poll(async () => (await stores.ctx.redis.keys(`${stores.keys.connectHeld('*')}`)).length, { timeout: 60_000, interval: 100 }).toBe(0);
    expect(await stores.connections.get('999004')).toBeNull();
    expect((await b(`${fast.url}${finishHref}`)).status).toBe(409);
  });

  it('stops its own attempts on close, even when one is waiting on X then: the tokens stay for the page', async () => {
    const closing = await connectServer({ gapMs: FAST_GAP_MS, maxDelayMs: 2 * FAST_GAP_MS });
    const b = browser();
    // the callback's four attempts fail; then the server's first attempt waits on X, and X keeps failing
    const { xu, cb } = await callbackWhileMeFails('closing_me', '999005', 4, { url: closing.url, get: b });
    x.fail({ endpoint: 'users_me', status: 503, delayMs: 3000 });
    x.fail({ endpoint: 'users_me', status: 503, count: 1000 });
    expect(cb.status).toBe(503);
    const asked = () => x.requestsTo('users_me').filter((r) => r.userId === xu.id);
    try {
      await expect.poll(() => asked().length, { timeout: 30_000, interval: 20 }).toBe(5);
      routers.at(-1)!.close(); // shutdown while that attempt waits on X
      await expect.poll(() => asked()[4]!.status, { timeout: 30_000, interval: 50 }).toBe(503);
      // several gaps and backoff delays later, nothing more was asked
      await new Promise((r) => setTimeout(r, 6 * FAST_GAP_MS));
      expect(asked()).toHaveLength(5);
      expect(await stores.ctx.redis.keys(`${stores.keys.connectHeld('*')}`)).toHaveLength(1);
    } finally {
      x.clearFaults();
      const held = await stores.ctx.redis.keys(`${stores.keys.connectHeld('*')}`);
      if (held.length) await stores.ctx.redis.del(...held);
      await new Promise((r) => closing.server.close(r));
    }
  });

  it('tells a member who links what they miss to earn and when they qualify; records the X facts', async () => {
    const xu = x.state.addUser({ username: 'newbie', createdAt: clock - 5 * 86_400_000, followers: 3 });
    x.state.authorizeAs = xu.id;
    await stores.moderation.update({ eligibility: { minXAccountAgeDays: 30, minFollowers: 10 } }, 'admin:1');
    try {
      const start = await get(ticketFor('555555'));
      const consent = await get(start.headers.get('location')!);
      const done = await get(consent.headers.get('location')!);
      expect(done.status).toBe(200);
      const page = await done.text();
      expect(page).toContain('You do not earn points yet');
      const notice = notices.find(([id]) => id === '555555')![1];
      expect(notice).toContain('is now linked');
      expect(notice).toMatch(/must be at least 30 days \(it is 5 days; you qualify on \d{4}-\d{2}-\d{2}\)/);
      expect(notice).toContain('you need 10 followers on X (you have 3)');
      expect((await stores.moderation.facts(['555555'])).get('555555')).toMatchObject({ followers: 3, protected: false, xCreatedAt: clock - 5 * 86_400_000 });
    } finally {
      await stores.moderation.update({ eligibility: { minXAccountAgeDays: 0, minFollowers: 0 } }, 'admin:1');
    }
  });

  it('links on success and tells the member; the reverse link is unique', async () => {
    const xu = x.state.addUser({ username: 'dora' });
    x.state.authorizeAs = xu.id;
    const run = async (discordId: string) => {
      const start = await get(ticketFor(discordId));
      const consent = await get(start.headers.get('location')!);
      return get(consent.headers.get('location')!);
    };
    expect((await run('444444')).status).toBe(200);
    expect((await stores.connections.getByXUserId(xu.id))?.discordId).toBe('444444');
    expect(notices.at(-1)).toEqual(['444444', expect.stringContaining('@dora is now linked')]);
    const taken = await run('555555');
    expect(taken.status).toBe(409);
    expect(notices.at(-1)).toEqual(['555555', expect.stringContaining('already linked to another member')]);
    // Someone starts linking for their own Discord account and gets another person to approve on X: the
    // callback arrives in a browser that did not start it and is refused; nothing is linked, and the
    // browser that started it can still finish.
    const victim = x.state.addUser({ username: 'victim' });
    x.state.authorizeAs = victim.id;
    const attacker = browser();
    const started = await attacker(ticketFor('666666'));
    const consent = await browser()(started.headers.get('location')!);
    const refused = await browser()(consent.headers.get('location')!);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('same browser');
    expect(await stores.connections.getByXUserId(victim.id)).toBeNull();
    expect((await attacker(consent.headers.get('location')!)).status).toBe(200);
    x.state.authorizeAs = xu.id;
    // The same member linking the same account again (reconnect) is fine and refreshes tokens.
    const before = await stores.connections.getTokens('444444');
    expect((await run('444444')).status).toBe(200);
    expect((await stores.connections.getTokens('444444'))?.accessToken).not.toBe(before?.accessToken);
  });
});
