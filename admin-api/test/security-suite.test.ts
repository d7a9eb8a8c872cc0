import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectTicketSigner, connectStartUrl, createLogger, createXClientFactory, SANDBOX_ENCRYPTION_KEY, type Stores } from '@engagement-tracker/core';
import { scanKeys, startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { startDiscordDouble, type DiscordDouble } from '@engagement-tracker/sandbox/discord';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { discordOAuthFromConfig } from '../src/auth/discord-oauth';
import { createConnectXRouter } from '../src/connect';
import { loadAdminApiConfig } from '../src/config';
import { client, cookiesOf, startTestApp, type Client, type TestApp } from './app-harness';
import { expectedVerdict, roleContract, ROUTES, type Caller, type RouteCase } from './route-table';
import { M, seed, T } from './seed';

/**
 * The security suite (`npm run test:security`): a table-driven fuzz of every admin API route (the role
 * test's route table) and of the sign-in and X-linking flows. Each case states the status (or status
 * class) the API must answer and whether the request may write anything; a case that writes when it
 * must not, or answers otherwise, is `wrong`. Prints one JSON line with the totals and fails when any
 * case is wrong or any answer is a 5xx.
 */

type Want = number | '2xx' | '3xx' | '4xx' | 'allowed';
interface Case {
  name: string;
  send: () => Promise<Response>;
  want: Want;
  /** The request may change stored data (only allowed, successful writes). */
  writes?: boolean;
  /** Extra check on the answer. */
  check?: (res: Response, body: string) => boolean | Promise<boolean>;
}

const ADMIN_ROLE = '510000000000000001';
const CORE_ROLE = '510000000000000002';
const GUILD = '710000000000000001';
const ADA = '610000000000000001';

let redis: TestRedisServer;
let discord: DiscordDouble;
let x: XDouble;
let app: TestApp;
let limited: TestApp;
let stores: Stores;
let clock = Date.now();
const signer = new ConnectTicketSigner(SANDBOX_ENCRYPTION_KEY, () => clock);
const callers: Record<string, { caller: Caller; client: Client }> = {};

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  x = await startXDouble();
  discord = await startDiscordDouble({
    guilds: [{ id: GUILD, roles: [{ id: ADMIN_ROLE, name: 'Admin' }, { id: CORE_ROLE, name: 'Core' }], members: [{ id: ADA, username: 'ada', roles: [ADMIN_ROLE] }] }],
  });
  const env = { SANDBOX: 'true', ...discord.env(), DISCORD_GUILD_ID: GUILD, ADMIN_ROLE_IDS: ADMIN_ROLE, CORE_ROLE_IDS: CORE_ROLE, PUBLIC_BASE_URL: 'http://127.0.0.1:1' };
  const xClients = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: 'sandbox-client' });
  app = await startTestApp(redis, env, {
    discord: discordOAuthFromConfig(loadAdminApiConfig(env))!,
    mounts: (s, config) => [
      { path: '/', router: createConnectXRouter({ stores: s, x: xClients, publicBaseUrl: config.PUBLIC_BASE_URL, encryptionKey: SANDBOX_ENCRYPTION_KEY, logger: createLogger('security', 'silent'), now: () => clock }) },
    ],
  });
  stores = app.stores;
  limited = await startTestApp(redis, { API_RATE_LIMIT_PER_MINUTE: '20' });
  await seed(stores);
  const admin = await app.login('admin');
  const core = await app.login('core');
  const token = async (scopes: string[]) => {
    const res = await admin.fetch('/api/api-tokens', { method: 'POST', body: { name: `fuzz ${scopes.join(' ')}`, scopes } });
    return bearer(((await res.json()) as { token: string }).token);
  };
  callers.admin = { caller: { kind: 'session', role: 'admin' }, client: admin };
  callers.core = { caller: { kind: 'session', role: 'core' }, client: core };
  callers['token:read'] = { caller: { kind: 'token', scopes: ['read'] }, client: await token(['read']) };
  callers['token:write'] = { caller: { kind: 'token', scopes: ['read', 'tweets:write', 'members:write'] }, client: await token(['read', 'tweets:write', 'members:write']) };
});
afterAll(async () => {
  await limited?.close();
  await app?.close();
  await Promise.all([discord?.close(), x?.close()]);
  await redis?.stop();
});

function bearer(t: string): Client {
  const c = client(app.url, '', '');
  return { ...c, fetch: (p, init = {}) => c.fetch(p, { ...init, headers: { ...init.headers, authorization: `Bearer ${t}` } }) };
}

/** A digest of every stored value, except what merely reading touches (rate-limit windows, session idle times, token last use). */
async function snapshot(): Promise<string> {
  const r = stores.ctx.redis;
  const keys = await scanKeys(r, `${stores.keys.tag}:*`);
  const kept = keys.filter((k) => !/:(ratelimit|session|apitoken):/.test(k)).sort();
  const p = r.pipeline();
  for (const k of kept) p.dumpBuffer(k);
  const dumps = (await p.exec()) ?? [];
  const h = createHash('sha256');
  kept.forEach((k, i) => h.update(k).update('\0').update((dumps[i]?.[1] as Buffer | null) ?? Buffer.alloc(0)).update('\0'));
  return h.digest('hex');
}

/** A raw request (any body bytes and headers), as a session or anonymous. */
function raw(method: string, path: string, body: Buffer | string | undefined, headers: Record<string, string>, as?: Client, csrf = true): Promise<Response> {
  const h: Record<string, string> = { ...headers };
  if (as?.cookie) h.cookie = as.cookie;
  if (as?.csrf && csrf && method !== 'GET') h['x-csrf-token'] = as.csrf;
  return fetch(`${app.url}${path}`, { method, headers: h, body, redirect: 'manual' });
}

const statusOk = (want: Want, s: number) =>
  want === 'allowed' ? s < 500 && s !== 401 && s !== 403 : typeof want === 'number' ? s === want : Math.floor(s / 100) === Number(want[0]);

const BODY_ROUTES: Array<{ method: string; path: string; valid: unknown }> = [
  { method: 'PUT', path: `/api/tweets/${T.t2}`, valid: { status: 'unavailable' } },
  { method: 'PUT', path: `/api/members/${M.bob}`, valid: { tier: 3 } },
  { method: 'POST', path: `/api/members/${M.bob}/adjustments`, valid: { delta: 5, reason: 'fuzz bonus' } },
  { method: 'PUT', path: '/api/rules/2', valid: { like: 9 } },
  { method: 'POST', path: '/api/rules/reset', valid: {} },
  { method: 'POST', path: '/api/api-tokens', valid: { name: 'fuzz', scopes: ['read'] } },
  { method: 'POST', path: '/api/batches', valid: {} },
  { method: 'POST', path: '/api/role-rewards', valid: { name: 'fuzz', roleId: '111111111111111111', condition: { type: 'points', minPoints: 5 } } },
];

const ZW = '\u200b\u200b\u200b';
const LONG = 'a'.repeat(10_240);

function accessCases(): Case[] {
  const out: Case[] = [];
  const contract = roleContract();
  const call = (c: Client, r: RouteCase) => c.fetch(r.path, { method: r.method, ...(r.body !== undefined ? { body: r.body } : {}) });
  const strangers: Array<[string, Client]> = [
    ['anonymous', client(app.url, '', '')],
    ['forged bearer', bearer(`et_${'0'.repeat(12)}_${'A'.repeat(32)}`)],
    ['malformed bearer', bearer('not a token')],
    ['forged session', client(app.url, `et_session=${randomBytes(32).toString('base64url')}; et_csrf=x`, 'x')],
  ];
  for (const r of ROUTES) {
    for (const [who, c] of strangers) out.push({ name: `${who} ${r.method} ${r.path}`, want: 401, send: () => call(c, r) });
    for (const [who, { caller, client: c }] of Object.entries(callers)) {
      const verdict = expectedVerdict(contract, r, caller);
      out.push({ name: `${who} ${r.method} ${r.path}`, want: verdict === 'ok' ? 'allowed' : 403, writes: verdict === 'ok', send: () => call(c, r) });
    }
    if (r.method !== 'GET') {
      for (const who of ['admin', 'core']) {
        const c = callers[who]!.client;
        out.push({ name: `${who} without CSRF ${r.method} ${r.path}`, want: 403, send: () => c.fetch(r.path, { method: r.method, csrf: false, ...(r.body !== undefined ? { body: r.body } : {}) }) });
        out.push({ name: `${who} with another session's CSRF ${r.method} ${r.path}`, want: 403, send: () => c.fetch(r.path, { method: r.method, headers: { 'x-csrf-token': callers[who === 'admin' ? 'core' : 'admin']!.client.csrf }, csrf: false, ...(r.body !== undefined ? { body: r.body } : {}) }) });
      }
    }
  }
  // Tokens forged from a real one (tampered secret), and a session after sign-out.
  out.push({ name: 'tampered API token', want: 401, send: () => bearer(`et_${'a'.repeat(12)}_${randomBytes(24).toString('base64url')}`).fetch('/api/overview') });
  return out;
}

/**
 * Bytes that are not gzip, deflate or brotli: fixed, because random bytes are sometimes a valid brotli
 * stream (brotli has no header) or pass zlib's header check, which made the suite fail now and then.
 */
const NOT_COMPRESSED = Buffer.from('not compressed: {"tier": 2} plainly garbage '.repeat(2));

function bodyCases(): Case[] {
  const out: Case[] = [];
  const admin = () => callers.admin!.client;
  const json = { 'content-type': 'application/json' };
  for (const r of BODY_ROUTES) {
    const valid = JSON.stringify(r.valid);
    const send = (body: Buffer | string, headers: Record<string, string> = json) => () => raw(r.method, r.path, body, headers, admin());
    const at = `${r.method} ${r.path}`;
    out.push({ name: `invalid JSON ${at}`, want: 400, send: send('{"tier":') });
    out.push({ name: `gzip garbage ${at}`, want: 400, send: send(NOT_COMPRESSED, { ...json, 'content-encoding': 'gzip' }) });
    out.push({ name: `deflate garbage ${at}`, want: 400, send: send(NOT_COMPRESSED, { ...json, 'content-encoding': 'deflate' }) });
    out.push({ name: `br garbage ${at}`, want: 400, send: send(NOT_COMPRESSED, { ...json, 'content-encoding': 'br' }) });
    out.push({ name: `unknown encoding ${at}`, want: 415, send: send(valid, { ...json, 'content-encoding': 'x-snappy' }) });
    out.push({ name: `compress encoding ${at}`, want: 415, send: send(valid, { ...json, 'content-encoding': 'compress' }) });
    out.push({ name: `utf-7 charset ${at}`, want: 415, send: send(valid, { 'content-type': 'application/json; charset=utf-7' }) });
    out.push({ name: `latin-1 charset ${at}`, want: 415, send: send(valid, { 'content-type': 'application/json; charset=iso-8859-1' }) });
    out.push({ name: `200 KB body ${at}`, want: 413, send: send(JSON.stringify({ pad: LONG.repeat(20) })) });
    out.push({ name: `array body ${at}`, want: 400, send: send('[]') });
    out.push({ name: `string body ${at}`, want: 400, send: send('"tier"') });
    out.push({ name: `__proto__ key ${at}`, want: 400, send: send(`{"__proto__":{"role":"admin"},${valid.slice(1) === '}' ? '"x":1}' : valid.slice(1)}`) });
    out.push({ name: `constructor key ${at}`, want: 400, send: send('{"constructor":{"prototype":{"admin":true}}}') });
    out.push({ name: `unknown field ${at}`, want: 400, send: send(JSON.stringify({ ...(r.valid as object), isAdmin: true })) });
  }
  // A well-formed gzip body is read like a plain one.
  out.push({ name: 'gzip-encoded valid body', want: 200, send: () => raw('PUT', '/api/rules/1', gzipSync(JSON.stringify({ like: 1 })), { 'content-type': 'application/json', 'content-encoding': 'gzip' }, admin()) });
  return out;
}

function valueCases(): Case[] {
  const out: Case[] = [];
  const admin = () => callers.admin!.client;
  const bad = (name: string, method: string, path: string, body: unknown) => out.push({ name, want: 400, send: () => admin().fetch(path, { method, body }) });
  for (const tier of ['3', [2], true, ' 3', 3.5, 0, 4, null, {}, -1, 1e300]) bad(`tier ${JSON.stringify(tier)}`, 'PUT', `/api/members/${M.bob}`, { tier });
  const adj = `/api/members/${M.bob}/adjustments`;
  for (const delta of ['5', 1.5, 0, -0, 10_000_000, 2 ** 53, null, true, [5]]) bad(`delta ${JSON.stringify(delta)}`, 'POST', adj, { delta, reason: 'valid reason' });
  const reasons: Array<[string, unknown]> = [
    ['three zero-width spaces', ZW],
    ['zero-width padding', `a${ZW}b`],
    ['NUL byte', 'abc\u0000def'],
    ['newline', 'line\nbreak'],
    ['escape sequence', 'red \u001b[31m alert'],
    ['RTL override', 'abc\u202Edef'],
    ['bidi isolate', 'abc\u2066def'],
    ['stacked combining marks', `a${'\u0301'.repeat(20)}bc`],
    ['10 KB', LONG],
    ['lone surrogate', 'abc\ud800def'],
    ['white space only', '   \u3000  '],
    ['number', 123],
    ['missing', undefined],
  ];
  for (const [what, reason] of reasons) bad(`reason: ${what}`, 'POST', adj, { delta: 1, reason });
  for (const points of [-1, 1001, '5', 1.5, null, [1]]) bad(`rule points ${JSON.stringify(points)}`, 'PUT', '/api/rules/2', { like: points });
  bad('empty rule change', 'PUT', '/api/rules/2', {});
  for (const status of ['ACTIVE', '', null, 'deleted ', 1]) bad(`tweet status ${JSON.stringify(status)}`, 'PUT', `/api/tweets/${T.t2}`, { status });
  const tok = '/api/api-tokens';
  for (const [what, body] of [
    ['empty name', { name: '', scopes: ['read'] }],
    ['zero-width name', { name: ZW, scopes: ['read'] }],
    ['NUL in name', { name: 'a\u0000b', scopes: ['read'] }],
    ['10 KB name', { name: LONG, scopes: ['read'] }],
    ['unknown scope', { name: 'x', scopes: ['admin'] }],
    ['token management scope', { name: 'x', scopes: ['tokens:manage'] }],
    ['no scopes', { name: 'x', scopes: [] }],
    ['scopes as a string', { name: 'x', scopes: 'read' }],
    ['0 days', { name: 'x', scopes: ['read'], expiresInDays: 0 }],
    ['366 days', { name: 'x', scopes: ['read'], expiresInDays: 366 }],
    ['days as a string', { name: 'x', scopes: ['read'], expiresInDays: '7' }],
  ] as Array<[string, unknown]>) {
    bad(`api token: ${what}`, 'POST', tok, body);
  }
  for (const role of ['owner', 'ADMIN', ['admin'], {}, null]) out.push({ name: `sandbox sign-in as ${JSON.stringify(role)}`, want: 400, send: () => fetch(`${app.url}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role }) }) });
  // No-op writes: answered, neither written nor audited.
  out.push({ name: 'rule set to its current value', want: 200, send: () => admin().fetch('/api/rules/1', { method: 'PUT', body: { like: 1 } }) });
  out.push({ name: 'tier set to the current one', want: 200, send: () => admin().fetch(`/api/members/${M.alice}`, { method: 'PUT', body: { tier: 3 } }) });
  out.push({ name: 'tweet status set to the current one', want: 200, send: () => admin().fetch(`/api/tweets/${T.t3}`, { method: 'PUT', body: { status: 'active' } }) });
  // Text that is valid must get through, normalised.
  const good = (name: string, reason: string, stored: string) =>
    out.push({
      name,
      want: 201,
      writes: true,
      send: () => admin().fetch(`/api/members/${M.carol}/adjustments`, { method: 'POST', body: { delta: 1, reason } }),
      check: (_res, body) => (JSON.parse(body) as { reason?: string }).reason === stored,
    });
  good('right-to-left reason (Arabic)', 'مكافأة المسابقة', 'مكافأة المسابقة');
  good('decomposed accents are stored NFC', '  Cafe\u0301 bonus ', 'Caf\u00e9 bonus');
  good('emoji reason', '🎉🎉🎉', '🎉🎉🎉');
  return out;
}

function idCases(): Case[] {
  const out: Case[] = [];
  const admin = () => callers.admin!.client;
  const shapes = ['x:logs', `${M.bob}:logs`, '1'.repeat(23), '-1', '01', '1.0', '0x1', '1e3', '%00', '%20123', '%D9%A1%D9%A2%D9%A3', '__proto__', 'constructor', 'a'.repeat(2000), '..%2F..%2Fetc', '%2A', 'run-1%0D%0Ax'];
  const patterns = [...new Set(ROUTES.filter((r) => r.pattern.includes(':')).map((r) => `${r.method} ${r.pattern}`))];
  for (const p of patterns) {
    const [method, pattern] = p.split(' ') as [string, string];
    const route = ROUTES.find((r) => r.method === method && r.pattern === pattern)!;
    for (const id of shapes) {
      const path = pattern.replace(/:(id|tier)/, id);
      out.push({ name: `id ${id.slice(0, 24)} ${method} ${pattern}`, want: 400, send: () => admin().fetch(path, { method, ...(route.body !== undefined ? { body: route.body } : {}) }) });
    }
  }
  for (const tier of ['0x1', '1e0', '01', '1.0', '4', '0', '-1', '%201']) out.push({ name: `tier path ${tier}`, want: 400, send: () => admin().fetch(`/api/rules/${tier}`) });
  out.push({ name: 'audit id of 23 digits', want: 400, send: () => admin().fetch(`/api/audit-log/${'9'.repeat(23)}-0`) });
  out.push({ name: 'batch id with a key suffix', want: 400, send: () => admin().fetch(`/api/batches/${encodeURIComponent('run-1:logs')}`) });
  return out;
}

function queryCases(): Case[] {
  const out: Case[] = [];
  const c = () => callers.core!.client;
  const lists = ['/api/tweets', '/api/members', '/api/leaderboard', '/api/batches', '/api/audit-log', '/api/rules', '/api/role-rewards', '/api/role-rewards/discord-roles', `/api/members/${M.bob}/logs`];
  const enc = (v: unknown) => encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v));
  const abuse = [
    `range=${enc([-1, 5])}`,
    `range=${enc([0, 1e10])}`,
    `range=${enc([5, 1])}`,
    `range=${enc([0, 5000])}`,
    'range=oops',
    `range=${enc([0.5, 3])}`,
    `range=${enc(['0', '3'])}`,
    `range=${enc({})}`,
    `range=${enc([0, 1])}&range=${enc([0, 2])}`,
    `sort=${enc(['__proto__', 'ASC'])}`,
    `sort=${enc(['id', 'SIDEWAYS'])}`,
    `sort=${enc(['id'])}`,
    `sort=${enc('id')}`,
    `sort=${enc(['nope', 'ASC'])}`,
    `filter=${enc('{"__proto__":{"x":1}}')}`,
    `filter=${enc({ constructor: 1 })}`,
    `filter=${enc({ unknown: 1 })}`,
    `filter=${enc([])}`,
    `filter=${enc('x')}`,
    `filter=${enc({ q: LONG })}`,
    'foo=1',
    `filter[id]=1`,
  ];
  for (const path of lists) for (const q of abuse) out.push({ name: `${path}?${q.slice(0, 40)}`, want: 400, send: () => c().fetch(`${path}?${q}`) });
  for (const f of [{ q: 'a\u0000b' }, { q: 'x\u202Ey' }, { since: 'yesterday' }, { since: 1e20 }, { until: '2026-13-45T99:99' }, { submitterId: 'abc' }, { id: ['x:y'] }, { category: LONG }, { status: 'gone' }]) {
    out.push({ name: `tweets filter ${JSON.stringify(f).slice(0, 40)}`, want: 400, send: () => c().fetch(`/api/tweets?filter=${enc(f)}`) });
  }
  out.push({ name: 'audit filter with NUL', want: 400, send: () => c().fetch(`/api/audit-log?filter=${enc({ action: 'a\u0000' })}`) });
  out.push({ name: 'leaderboard week not a week', want: 400, send: () => c().fetch(`/api/leaderboard?filter=${enc({ board: 'weekly', week: '2026-W99' })}`) });
  out.push({ name: 'CSV export of an unknown board', want: 400, send: () => c().fetch('/api/leaderboard/export.csv?board=secret') });
  out.push({ name: 'CSV export with an extra parameter', want: 400, send: () => c().fetch('/api/leaderboard/export.csv?board=alltime&x=1') });
  out.push({ name: 'a 20 KB query string', want: '4xx', send: () => c().fetch(`/api/tweets?filter=${enc({ q: 'a'.repeat(20_000) })}`) });
  return out;
}

function forwardingCases(): Case[] {
  const out: Case[] = [];
  // No proxy is trusted by default: each made-up X-Forwarded-For still counts against the one real IP.
  for (let i = 0; i < 30; i++) {
    const path = ['/auth/me', '/api/overview', '/connect/x/start'][i % 3]!;
    out.push({
      name: `spoofed X-Forwarded-For #${i + 1} ${path}`,
      want: i < 20 ? '4xx' : 429,
      check: (res) => (i < 20 ? res.status !== 429 : true),
      send: () => fetch(`${limited.url}${path}`, { headers: { 'x-forwarded-for': `10.0.0.${i}`, 'x-real-ip': `10.0.1.${i}` } }),
    });
  }
  out.push({
    name: 'forwarded host and proto do not steer the sign-in redirect',
    want: 302,
    writes: true, // the pending sign-in state
    send: () => fetch(`${app.url}/auth/discord/login`, { redirect: 'manual', headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' } }),
    check: (res) => !(res.headers.get('location') ?? '').includes('evil.example'),
  });
  return out;
}

/** A browser with its own cookie jar. */
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

function flowCases(): Case[] {
  const out: Case[] = [];
  const ticket = (discordId: string) => connectStartUrl(app.url, signer.sign({ kind: 'ticket', discordId, displayName: `member ${discordId}` }).token);
  const otherKey = new ConnectTicketSigner(randomBytes(32).toString('hex'));
  out.push({ name: 'link: no ticket', want: 400, send: () => fetch(`${app.url}/connect/x/start`, { redirect: 'manual' }) });
  out.push({ name: 'link: garbage ticket', want: 400, send: () => fetch(`${app.url}/connect/x/start?ticket=abc.def.ghi`, { redirect: 'manual' }) });
  out.push({ name: 'link: ticket signed with another key', want: 400, send: () => fetch(connectStartUrl(app.url, otherKey.sign({ kind: 'ticket', discordId: '1', displayName: 'x' }).token), { redirect: 'manual' }) });
  out.push({ name: 'link: a state used as a ticket', want: 400, send: () => fetch(connectStartUrl(app.url, signer.sign({ kind: 'state', discordId: '1', displayName: 'x' }).token), { redirect: 'manual' }) });
  out.push({
    name: 'link: expired ticket',
    want: 410,
    send: async () => {
      const link = ticket('300000000000000001');
      clock += 11 * 60_000;
      try {
        return await fetch(link, { redirect: 'manual' });
      } finally {
        clock = Date.now();
      }
    },
  });
  const replayed = ticket('300000000000000002');
  out.push({ name: 'link: first use of a ticket', want: 302, writes: true, send: () => fetch(replayed, { redirect: 'manual' }) });
  out.push({ name: 'link: replayed ticket', want: 409, send: () => fetch(replayed, { redirect: 'manual' }) });
  const forged = signer.sign({ kind: 'state', discordId: '300000000000000003', displayName: 'x' });
  out.push({ name: 'link: forged state (no pending authorization)', want: 409, send: () => fetch(`${app.url}/connect/x/callback?code=c&state=${encodeURIComponent(forged.token)}`, { redirect: 'manual', headers: { cookie: `et_connect=${forged.ticket.nonce}` } }) });
  out.push({ name: 'link: garbage state', want: 400, send: () => fetch(`${app.url}/connect/x/callback?code=c&state=garbage.garbage`, { redirect: 'manual' }) });
  out.push({ name: 'link: finish with a forged state (no tokens kept)', want: 409, send: () => fetch(`${app.url}/connect/x/finish?state=${encodeURIComponent(forged.token)}`, { redirect: 'manual', headers: { cookie: `et_connect=${forged.ticket.nonce}` } }) });
  out.push({ name: 'link: finish in another browser', want: 400, send: () => fetch(`${app.url}/connect/x/finish?state=${encodeURIComponent(forged.token)}`, { redirect: 'manual' }) });
  out.push({ name: 'link: finish with a garbage state', want: 400, send: () => fetch(`${app.url}/connect/x/finish?state=garbage.garbage`, { redirect: 'manual', headers: { cookie: 'et_connect=garbage' } }) });
  out.push({
    name: 'link: callback in another browser (cross-browser)',
    want: 403,
    writes: true, // the start in the first browser
    check: async () => (await stores.connections.get('300000000000000004')) === null,
    send: async () => {
      x.state.authorizeAs = x.state.addUser({ username: `victim${randomBytes(2).toString('hex')}` }).id;
      const started = await browser()(ticket('300000000000000004'));
      const consent = await fetch(started.headers.get('location')!, { redirect: 'manual' });
      const back = new URL(consent.headers.get('location')!);
      return browser()(`${app.url}${back.pathname}${back.search}`);
    },
  });
  // Discord sign-in.
  const callback = (q: string, cookie?: string) => fetch(`${app.url}/auth/discord/callback?${q}`, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });
  const refused = (res: Response) => /error=bad_state/.test(res.headers.get('location') ?? '') && !res.headers.getSetCookie().some((c) => c.startsWith('et_session=') && !c.startsWith('et_session=;'));
  out.push({ name: 'sign-in: forged state', want: 302, check: refused, send: () => callback('code=c&state=forged-state-value', 'et_oauth_state=forged-state-value') });
  out.push({ name: 'sign-in: no state', want: 302, check: refused, send: () => callback('code=c') });
  out.push({
    name: 'sign-in: state from another browser',
    want: 302,
    check: refused,
    send: async () => {
      const start = await fetch(`${app.url}/auth/discord/login`, { redirect: 'manual' });
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      return callback(`code=c&state=${encodeURIComponent(state)}`, 'et_oauth_state=someone-else');
    },
  });
  out.push({
    name: 'sign-in: replayed state and code',
    want: 302,
    writes: true, // the first, real sign-in
    check: refused,
    send: async () => {
      const start = await fetch(`${app.url}/auth/discord/login`, { redirect: 'manual' });
      const stateCookie = cookiesOf(start).et_oauth_state!;
      const authorize = new URL(start.headers.get('location')!);
      authorize.searchParams.set('login_as', ADA);
      const back = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
      const q = back.search.slice(1);
      const first = await callback(q, `et_oauth_state=${stateCookie}`);
      if (first.status !== 302 || refused(first)) return new Response('first sign-in failed', { status: 599 });
      return callback(q, `et_oauth_state=${stateCookie}`);
    },
  });
  out.push({
    name: 'session after sign-out',
    want: 401,
    writes: true, // the sign-in before
    send: async () => {
      const s = await app.login('core');
      await s.fetch('/auth/logout', { method: 'POST' });
      return s.fetch('/api/overview');
    },
  });
  return out;
}

describe('security suite', () => {
  it('answers every abusive request with the right 4xx and writes nothing', { timeout: 600_000 }, async () => {
    const cases = [...accessCases(), ...bodyCases(), ...valueCases(), ...idCases(), ...queryCases(), ...forwardingCases(), ...flowCases()];
    const wrong: string[] = [];
    let handled = 0;
    let status500 = 0;
    for (const c of cases) {
      const before = c.writes ? '' : await snapshot();
      const res = await c.send();
      const body = await res.text();
      const written = c.writes ? false : (await snapshot()) !== before;
      if (res.status >= 500) status500 += 1;
      const ok = statusOk(c.want, res.status) && !written && (c.check ? await c.check(res, body) : true);
      if (ok) handled += 1;
      else wrong.push(`${c.name}: got ${res.status}${written ? ' and wrote' : ''} (want ${c.want}) ${body.slice(0, 160)}`);
    }
    const summary = { tried: cases.length, handledCorrectly: handled, wrong: wrong.length, status500 };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    expect(wrong).toEqual([]);
    expect(status500).toBe(0);
    expect(summary.tried).toBeGreaterThan(700);
  });
});
