import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { client, startTestApp, type Client, type TestApp } from './app-harness';
import { declaredRoutes, expectedVerdict, roleContract, ROUTES, type Caller } from './route-table';
import { seed } from './seed';

/**
 * Every /api route, and who may call it, asserted against the README's role table (section "Roles"):
 * the table is the contract, the API must answer as it says.
 */
const contract = roleContract();
const CALLERS: Record<string, Caller> = {
  anonymous: { kind: 'anonymous' },
  core: { kind: 'session', role: 'core' },
  admin: { kind: 'session', role: 'admin' },
  'token:read': { kind: 'token', scopes: ['read'] },
  'token:tweets': { kind: 'token', scopes: ['read', 'tweets:write'] },
  'token:all': { kind: 'token', scopes: ['read', 'tweets:write', 'points:write', 'members:write', 'rules:write', 'batches:run'] },
};

let redis: TestRedisServer;
let app: TestApp;
const clients: Record<string, Client> = {};

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
  for (const [name, caller] of Object.entries(CALLERS)) {
    clients[name] = caller.kind === 'anonymous' ? client(app.url, '', '') : caller.kind === 'session' ? (caller.role === 'core' ? core : admin) : await token(caller.scopes);
  }
});
afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

describe('role x route', () => {
  it('covers every route the routers declare, each with a row of the README table', () => {
    const declared = declaredRoutes();
    expect(declared.length).toBeGreaterThan(20);
    expect([...new Set(declared)].sort()).toEqual([...new Set(ROUTES.map((r) => `${r.method} ${r.pattern}`))].sort());
    for (const r of ROUTES) expect(contract.has(r.action), `README row "${r.action}"`).toBe(true);
    // Every row of the table is exercised by some route.
    expect([...contract.keys()].sort()).toEqual([...new Set(ROUTES.map((r) => r.action))].sort());
  });

  it('the README says core moves no points, and the console, the start banner and the README describe core alike', () => {
    for (const action of ["take back a post's points", 'adjust points']) expect(contract.get(action)).toMatchObject({ core: false, admin: true });
    const root = join(import.meta.dirname, '..', '..');
    const summary = /core: '([^']+)'/.exec(readFileSync(join(root, 'admin-web', 'src', 'permissions.ts'), 'utf8'))?.[1];
    expect(summary).toBe('reads everything and moderates posts; moves no points');
    const readme = readFileSync(join(root, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`**Sandbox core member** (${summary}`);
    expect(readme).not.toMatch(/read-only role/);
    expect(readFileSync(join(root, 'sandbox', 'src', 'stack', 'start.ts'), 'utf8')).toContain(`"Sandbox core member" (${summary})`);
  });

  for (const who of Object.keys(CALLERS)) {
    it(`${who}: allowed routes pass, the others get 401 (anonymous) or 403, as the README table says`, async () => {
      const c = clients[who]!;
      const got: string[] = [];
      const want: string[] = [];
      for (const r of ROUTES) {
        const res = await c.fetch(r.path, { method: r.method, ...(r.body !== undefined ? { body: r.body } : {}) });
        await res.arrayBuffer();
        const verdict = res.status === 401 ? '401' : res.status === 403 ? '403' : 'ok';
        got.push(`${r.method} ${r.path} -> ${verdict}`);
        want.push(`${r.method} ${r.path} -> ${expectedVerdict(contract, r, CALLERS[who]!)}`);
        if (verdict === 'ok') expect(res.status, `${who} ${r.method} ${r.path}`).toBeLessThan(500);
      }
      expect(got).toEqual(want);
    });
  }

  it('public routes need no sign-in; /auth/me needs one', async () => {
    const anon = clients.anonymous!;
    expect((await anon.fetch('/healthz')).status).toBe(200);
    expect((await anon.fetch('/readyz')).status).toBe(200);
    expect((await anon.fetch('/auth/me')).status).toBe(401);
    expect((await anon.fetch('/auth/config')).status).toBe(200);
    expect((await anon.fetch('/auth/logout', { method: 'POST' })).status).toBe(204);
  });
});
