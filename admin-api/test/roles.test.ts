import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { client, startTestApp, type Client, type TestApp } from './app-harness';
import { M, seed, T } from './seed';

/**
 * Every /api route, and who may call it. core: read everything and manage tweets; admin: everything;
 * API tokens: what their scopes say (never token management).
 */
type Need = 'read' | 'tweets:write' | 'members:write' | 'rules:write' | 'batches:run' | 'tokens:manage';
const ROUTES: Array<{ method: string; path: string; pattern: string; need: Need; body?: unknown }> = [
  { method: 'GET', pattern: '/api/tweets', path: '/api/tweets', need: 'read' },
  { method: 'GET', pattern: '/api/tweets/:id', path: `/api/tweets/${T.t2}`, need: 'read' },
  { method: 'PUT', pattern: '/api/tweets/:id', path: `/api/tweets/${T.t2}`, need: 'tweets:write', body: { status: 'active' } },
  { method: 'DELETE', pattern: '/api/tweets/:id', path: '/api/tweets/1999999999999999999?revoke=true', need: 'tweets:write' },
  { method: 'GET', pattern: '/api/members', path: '/api/members', need: 'read' },
  { method: 'GET', pattern: '/api/members/:id', path: `/api/members/${M.bob}`, need: 'read' },
  { method: 'GET', pattern: '/api/members/:id/logs', path: `/api/members/${M.bob}/logs`, need: 'read' },
  { method: 'PUT', pattern: '/api/members/:id', path: `/api/members/${M.bob}`, need: 'members:write', body: { tier: 2 } },
  { method: 'POST', pattern: '/api/members/:id/adjustments', path: `/api/members/${M.bob}/adjustments`, need: 'members:write', body: { delta: 1, reason: 'role table' } },
  { method: 'DELETE', pattern: '/api/members/:id', path: '/api/members/299999999999999999', need: 'members:write' },
  { method: 'GET', pattern: '/api/leaderboard', path: '/api/leaderboard', need: 'read' },
  { method: 'GET', pattern: '/api/leaderboard/weeks', path: '/api/leaderboard/weeks', need: 'read' },
  { method: 'GET', pattern: '/api/leaderboard/export.csv', path: '/api/leaderboard/export.csv?board=alltime', need: 'read' },
  { method: 'GET', pattern: '/api/leaderboard/:id', path: `/api/leaderboard/${M.alice}`, need: 'read' },
  { method: 'GET', pattern: '/api/rules', path: '/api/rules', need: 'read' },
  { method: 'GET', pattern: '/api/rules/:tier', path: '/api/rules/1', need: 'read' },
  { method: 'PUT', pattern: '/api/rules/:tier', path: '/api/rules/1', need: 'rules:write', body: { like: 1 } },
  { method: 'POST', pattern: '/api/rules/reset', path: '/api/rules/reset', need: 'rules:write', body: {} },
  { method: 'GET', pattern: '/api/batches', path: '/api/batches', need: 'read' },
  { method: 'GET', pattern: '/api/batches/:id', path: '/api/batches/run-nope', need: 'read' },
  { method: 'POST', pattern: '/api/batches', path: '/api/batches', need: 'batches:run', body: {} },
  { method: 'GET', pattern: '/api/audit-log', path: '/api/audit-log', need: 'read' },
  { method: 'GET', pattern: '/api/audit-log/:id', path: '/api/audit-log/1-0', need: 'read' },
  { method: 'GET', pattern: '/api/api-tokens', path: '/api/api-tokens', need: 'tokens:manage' },
  { method: 'GET', pattern: '/api/api-tokens/:id', path: '/api/api-tokens/000000000000', need: 'tokens:manage' },
  { method: 'POST', pattern: '/api/api-tokens', path: '/api/api-tokens', need: 'tokens:manage', body: { name: 'role table', scopes: ['read'] } },
  { method: 'DELETE', pattern: '/api/api-tokens/:id', path: '/api/api-tokens/000000000000', need: 'tokens:manage' },
  { method: 'GET', pattern: '/api/overview', path: '/api/overview', need: 'read' },
];

const ROLE_GRANTS: Record<'core' | 'admin', Need[]> = {
  core: ['read', 'tweets:write'],
  admin: ['read', 'tweets:write', 'members:write', 'rules:write', 'batches:run', 'tokens:manage'],
};

let redis: TestRedisServer;
let app: TestApp;
const callers: Record<string, { client: Client; allowed: (n: Need) => boolean }> = {};

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  app = await startTestApp(redis);
  await seed(app.stores);
  const core = await app.login('core');
  const admin = await app.login('admin');
  const token = async (scopes: string[]) => {
    const res = await admin.fetch('/api/api-tokens', { method: 'POST', body: { name: scopes.join('+'), scopes } });
    const t = ((await res.json()) as { token: string }).token;
    const c = client(app.url, '', '');
    return { ...c, fetch: (p: string, init: Parameters<Client['fetch']>[1] = {}) => c.fetch(p, { ...init, headers: { ...init.headers, authorization: `Bearer ${t}` } }) };
  };
  callers.anonymous = { client: client(app.url, '', ''), allowed: () => false };
  callers.core = { client: core, allowed: (n) => ROLE_GRANTS.core.includes(n) };
  callers.admin = { client: admin, allowed: (n) => ROLE_GRANTS.admin.includes(n) };
  callers['token:read'] = { client: await token(['read']), allowed: (n) => n === 'read' };
  callers['token:all'] = { client: await token(['read', 'tweets:write', 'members:write', 'rules:write', 'batches:run']), allowed: (n) => n !== 'tokens:manage' };
});
afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

describe('role x route', () => {
  it('covers every route the routers declare', () => {
    const src = join(import.meta.dirname, '..', 'src');
    const app = readFileSync(join(src, 'app.ts'), 'utf8');
    const declared: string[] = [];
    for (const [, mount, fn] of app.matchAll(/api\.use\('([^']+)', (\w+)Router\(/g)) {
      const file = readFileSync(join(src, 'routes', `${mount!.slice(1)}.ts`), 'utf8');
      expect(file, fn).toContain(`export function ${fn}Router`);
      for (const [, method, path] of file.matchAll(/\br\.(get|post|put|delete)\('([^']*)'/g)) {
        declared.push(`${method!.toUpperCase()} /api${mount}${path === '/' ? '' : path}`);
      }
    }
    expect(declared.length).toBeGreaterThan(20);
    expect(declared.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.pattern}`).sort());
  });

  for (const who of ['anonymous', 'core', 'admin', 'token:read', 'token:all']) {
    it(`${who}: allowed routes pass, the others get 401 (anonymous) or 403`, async () => {
      const { client: c, allowed } = callers[who]!;
      const got: string[] = [];
      const want: string[] = [];
      for (const r of ROUTES) {
        const res = await c.fetch(r.path, { method: r.method, ...(r.body !== undefined ? { body: r.body } : {}) });
        await res.arrayBuffer();
        const verdict = res.status === 401 ? '401' : res.status === 403 ? '403' : 'ok';
        got.push(`${r.method} ${r.pattern} -> ${verdict}`);
        want.push(`${r.method} ${r.pattern} -> ${who === 'anonymous' ? '401' : allowed(r.need) ? 'ok' : '403'}`);
        if (verdict === 'ok') expect(res.status, `${who} ${r.method} ${r.path}`).toBeLessThan(500);
      }
      expect(got).toEqual(want);
    });
  }

  it('public routes need no sign-in; /auth/me needs one', async () => {
    const anon = callers.anonymous!.client;
    expect((await anon.fetch('/healthz')).status).toBe(200);
    expect((await anon.fetch('/readyz')).status).toBe(200);
    expect((await anon.fetch('/auth/me')).status).toBe(401);
    expect((await anon.fetch('/auth/config')).status).toBe(200);
    expect((await anon.fetch('/auth/logout', { method: 'POST' })).status).toBe(204);
  });
});
