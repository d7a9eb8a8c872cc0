import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWeek } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { client, startTestApp, type Client, type TestApp } from './app-harness';
import { M, seed, T } from './seed';

let redis: TestRedisServer;
let app: TestApp;
let admin: Client;
let core: Client;
let runId: string;

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  app = await startTestApp(redis);
  ({ runId } = await seed(app.stores));
  admin = await app.login('admin');
  core = await app.login('core');
});
afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

const q = (o: Record<string, unknown>) => `?${new URLSearchParams(Object.fromEntries(Object.entries(o).map(([k, v]) => [k, JSON.stringify(v)])))}`;

describe('ra-data-simple-rest contract', () => {
  it('lists tweets with sort, range, filters and a Content-Range total', async () => {
    const res = await core.fetch(`/api/tweets${q({ sort: ['submittedAt', 'ASC'], range: [0, 1] })}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('tweets 0-1/3');
    const body = (await res.json()) as Array<Record<string, unknown>>;
    expect(body.map((t) => t.id)).toEqual([T.t1, T.t2]);
    expect(body[0]).toMatchObject({ tweetId: T.t1, submitterId: M.carol, submitterName: 'Carol', category: 'launch', status: 'active', pointsAwarded: 14, engagementCount: 3, metrics: { likes: 0 } });

    const launch = await core.fetch(`/api/tweets${q({ filter: { category: 'launch' }, sort: ['pointsAwarded', 'DESC'] })}`);
    expect(launch.headers.get('content-range')).toBe('tweets 0-1/2');
    expect(((await launch.json()) as Array<{ id: string }>).map((t) => t.id)).toEqual([T.t1, T.t3]);

    const many = await core.fetch(`/api/tweets${q({ filter: { id: [T.t3, T.t2] } })}`);
    expect(((await many.json()) as Array<{ id: string }>).map((t) => t.id).sort()).toEqual([T.t2, T.t3]);

    const bySubmitter = await core.fetch(`/api/tweets${q({ filter: { submitterId: M.dave, since: new Date(Date.now() - 86_400_000).toISOString() } })}`);
    expect(((await bySubmitter.json()) as Array<{ id: string }>).map((t) => t.id)).toEqual([T.t2]);
  });

  it('filters by text and sorts by any sortable field through the tweet index, fresh after its own writes', async () => {
    const byCount = await core.fetch(`/api/tweets${q({ sort: ['engagementCount', 'ASC'], filter: { q: 'TWEET' } })}`);
    expect(((await byCount.json()) as Array<{ id: string; engagementCount: number }>).map((t) => [t.id, t.engagementCount])).toEqual([[T.t2, 0], [T.t3, 1], [T.t1, 3]]);
    const byHandle = await core.fetch(`/api/tweets${q({ filter: { q: 'outsider' } })}`);
    expect(byHandle.headers.get('content-range')).toBe('tweets 0-0/1');
    await core.fetch(`/api/tweets/${T.t2}`, { method: 'PUT', body: { status: 'unavailable' } });
    const active = await core.fetch(`/api/tweets${q({ filter: { status: 'active' }, sort: ['createdAt', 'DESC'] })}`);
    expect(((await active.json()) as Array<{ id: string }>).map((t) => t.id)).toEqual([T.t1, T.t3]);
    await core.fetch(`/api/tweets/${T.t2}`, { method: 'PUT', body: { status: 'active' } });
    expect((await core.fetch(`/api/tweets${q({ filter: { status: 'active' } })}`)).headers.get('content-range')).toBe('tweets 0-2/3');
  });

  it('answers bad parameters with a clear 400', async () => {
    for (const bad of ['?range=[5,1]', '?range=oops', `?sort=${encodeURIComponent('["nope","ASC"]')}`, `?filter=${encodeURIComponent('{"colour":"red"}')}`, `?filter=${encodeURIComponent('{"since":"yesterday"}')}`, `?range=${encodeURIComponent('[0,5000]')}`]) {
      const res = await core.fetch(`/api/tweets${bad}`);
      expect(res.status, bad).toBe(400);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe('bad_query');
      expect(body.message.length).toBeGreaterThan(10);
    }
    expect((await core.fetch('/api/tweets/123')).status).toBe(404);
    expect((await core.fetch('/api/nothing')).status).toBe(404);
    // Ids become Redis key parts: only snowflakes get that far.
    for (const [method, path, body] of [
      ['GET', `/api/members/${encodeURIComponent('x:logs')}`],
      ['POST', `/api/members/${encodeURIComponent(`${M.bob}:x`)}/adjustments`, { delta: 1, reason: 'bad id' }],
      ['PUT', '/api/tweets/abc', { status: 'active' }],
    ] as Array<[string, string, unknown?]>) {
      const res = await admin.fetch(path, { method, ...(body ? { body } : {}) });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('bad_id');
    }
  });

  it('lists members with link status, tier and weekly points; admins set tier, adjust points and unlink', async () => {
    const res = await core.fetch(`/api/members${q({ sort: ['totalPoints', 'DESC'], range: [0, 9] })}`);
    expect(res.headers.get('content-range')).toBe('members 0-3/4');
    const list = (await res.json()) as Array<Record<string, unknown>>;
    expect(list[0]).toMatchObject({ id: M.alice, displayName: 'Alice', handle: 'alice_x', linkStatus: 'linked', tier: 3, totalPoints: 12, weeklyPoints: 12 });
    const unlinked = await core.fetch(`/api/members${q({ filter: { linkStatus: 'unlinked' } })}`);
    expect(((await unlinked.json()) as Array<{ id: string }>).map((m) => m.id)).toEqual([M.dave]);

    const tier = await admin.fetch(`/api/members/${M.bob}`, { method: 'PUT', body: { tier: 2 } });
    expect(await tier.json()).toMatchObject({ id: M.bob, tier: 2 });
    expect((await admin.fetch(`/api/members/${M.bob}`, { method: 'PUT', body: { tier: 4 } })).status).toBe(400);

    const adj = await admin.fetch(`/api/members/${M.carol}/adjustments`, { method: 'POST', body: { delta: 5, reason: 'Helped moderate' }, headers: { 'idempotency-key': 'k1' } });
    expect(adj.status).toBe(201);
    await admin.fetch(`/api/members/${M.carol}/adjustments`, { method: 'POST', body: { delta: 5, reason: 'Helped moderate' }, headers: { 'idempotency-key': 'k1' } });
    expect(((await (await core.fetch(`/api/members/${M.carol}`)).json()) as { totalPoints: number }).totalPoints).toBe(6);
    expect((await admin.fetch(`/api/members/${M.carol}/adjustments`, { method: 'POST', body: { delta: 0, reason: 'x' } })).status).toBe(400);

    const unlink = await admin.fetch(`/api/members/${M.carol}`, { method: 'DELETE' });
    expect(await unlink.json()).toMatchObject({ id: M.carol, linkStatus: 'unlinked', handle: null });
    expect((await admin.fetch(`/api/members/${M.carol}`, { method: 'DELETE' })).status).toBe(404);
    const audit = await core.fetch(`/api/audit-log${q({ filter: { target: M.carol } })}`);
    const actions = ((await audit.json()) as Array<{ action: string; actor: string }>).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['points.adjust', 'connection.unlink']));
  });

  it('serves all-time and weekly leaderboards, the weeks list and a CSV export', async () => {
    const res = await core.fetch(`/api/leaderboard${q({ filter: { board: 'alltime' }, range: [0, 1] })}`);
    expect(res.headers.get('content-range')).toMatch(/^leaderboard 0-1\/\d+$/);
    expect((await res.json()) as unknown[]).toEqual([
      { id: M.alice, rank: 1, displayName: 'Alice', handle: 'alice_x', tier: 3, points: 12 },
      expect.objectContaining({ rank: 2 }),
    ]);
    const week = isoWeek(Date.now());
    const weekly = await core.fetch(`/api/leaderboard${q({ filter: { board: 'weekly', week } })}`);
    expect(((await weekly.json()) as Array<{ id: string }>)[0]?.id).toBe(M.alice);
    expect((await core.fetch(`/api/leaderboard${q({ filter: { board: 'weekly', week: '2026-48' } })}`)).status).toBe(400);
    expect(await (await core.fetch('/api/leaderboard/weeks')).json()).toContain(week);
    const csv = await core.fetch(`/api/leaderboard/export.csv?board=weekly&week=${week}`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('rank,discordId,displayName,handle,tier,points');
    // Numbers stay numbers; text is quoted.
    expect(lines[1]).toBe(`1,"${M.alice}","Alice","alice_x",3,12`);
    // A display name that a spreadsheet would run as a formula is neutralised, also behind white space.
    for (const [name, cell] of [
      ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
      [' =1+1', `"' =1+1"`],
      ['\u3000@SUM(A1)', `"'\u3000@SUM(A1)"`],
      ['-5', `"'-5"`],
    ]) {
      await app.stores.members.ensure(M.alice, name!);
      const evil = await (await core.fetch('/api/leaderboard/export.csv')).text();
      expect(evil.split('\n')[1]).toBe(`1,"${M.alice}",${cell},"alice_x",3,12`);
    }
    await app.stores.members.ensure(M.alice, 'Alice');
    // A negative total is a number, not text.
    await app.stores.ledger.adjust({ discordId: M.dave, delta: -5, reason: 'csv check', actor: 'test' });
    const negative = (await (await core.fetch('/api/leaderboard/export.csv')).text()).trim().split('\n').at(-1);
    expect(negative).toMatch(new RegExp(`^\\d+,"${M.dave}","Dave","",1,-5$`));
    await app.stores.ledger.adjust({ discordId: M.dave, delta: 5, reason: 'csv check undone', actor: 'test' });
  });

  it('edits rules per tier and resets them to the defaults', async () => {
    const res = await core.fetch('/api/rules');
    expect(res.headers.get('content-range')).toBe('rules 0-2/3');
    expect(((await res.json()) as Array<{ id: string }>).map((r) => r.id)).toEqual(['1', '2', '3']);
    const put = await admin.fetch('/api/rules/2', { method: 'PUT', body: { like: 7, reply: 11 } });
    expect(await put.json()).toMatchObject({ id: '2', like: 7, retweet: 4, reply: 11, quote: 4 });
    expect((await admin.fetch('/api/rules/2', { method: 'PUT', body: { like: -1 } })).status).toBe(400);
    for (const bad of ['4', '0x1', '1e0', '01', '1.0', '%201']) expect((await admin.fetch(`/api/rules/${bad}`, { method: 'PUT', body: { like: 1 } })).status, bad).toBe(400);
    // An empty change is refused; a change to the values already there is no change: not audited.
    expect((await admin.fetch('/api/rules/2', { method: 'PUT', body: {} })).status).toBe(400);
    const audited = async () => (await app.stores.audit.list({ filter: { action: 'rules.update' } })).total;
    const updates = await audited();
    expect((await admin.fetch('/api/rules/2', { method: 'PUT', body: { like: 7, reply: 11 } })).status).toBe(200);
    expect(await audited()).toBe(updates);
    const reset = await admin.fetch('/api/rules/reset', { method: 'POST', body: {} });
    expect(((await reset.json()) as Array<{ like: number }>)[1]?.like).toBe(2);
  });

  it('deletes a tweet with revoke, taking back its points atomically', async () => {
    const before = ((await (await core.fetch(`/api/members/${M.alice}`)).json()) as { totalPoints: number }).totalPoints;
    // Core moderates posts but moves no points: refused, nothing changed.
    const refused = await core.fetch(`/api/tweets/${T.t1}?revoke=true`, { method: 'DELETE' });
    expect(refused.status).toBe(403);
    expect((await app.stores.tweets.get(T.t1))?.status).toBe('active');
    const res = await admin.fetch(`/api/tweets/${T.t1}?revoke=true`, { method: 'DELETE' });
    expect(await res.json()).toMatchObject({ id: T.t1, status: 'deleted', revokedAwards: 3, revokedPoints: 14, pointsAwarded: 0, engagementCount: 0 });
    const after = ((await (await core.fetch(`/api/members/${M.alice}`)).json()) as { totalPoints: number }).totalPoints;
    expect(before - after).toBe(12);
    const audit = (await (await core.fetch(`/api/audit-log${q({ filter: { action: 'tweet' } })}`)).json()) as Array<{ actor: string }>;
    expect(audit[0]?.actor).toBe('discord:100000000000000900');
    // Deleting it again changes nothing: not audited.
    const entries = (await app.stores.audit.list({ filter: { target: `tweet:${T.t1}` } })).total;
    expect((await admin.fetch(`/api/tweets/${T.t1}?revoke=true`, { method: 'DELETE' })).status).toBe(200);
    expect((await core.fetch(`/api/tweets/${T.t1}`, { method: 'DELETE' })).status).toBe(200);
    expect((await app.stores.audit.list({ filter: { target: `tweet:${T.t1}` } })).total).toBe(entries);
  });

  it('does not undo a delete that lands while a status change is in flight (409, nothing written)', async () => {
    const tweets = app.stores.tweets;
    const get = tweets.get.bind(tweets);
    const statusChanges = async () => (await app.stores.audit.list({ filter: { action: 'tweet.status', target: `tweet:${T.t2}` } })).total;
    const changesBefore = await statusChanges();
    // Another admin deletes t2 right after this request read it.
    tweets.get = async (id: string) => {
      const t = await get(id);
      tweets.get = get;
      await tweets.remove(id, { revoke: false, actor: 'discord:other-admin' });
      return t;
    };
    const res = await core.fetch(`/api/tweets/${T.t2}`, { method: 'PUT', body: { status: 'unavailable' } });
    tweets.get = get;
    expect(res.status).toBe(409);
    expect((await res.json()) as { error: string }).toMatchObject({ error: 'tweet_changed' });
    expect((await get(T.t2))?.status).toBe('deleted');
    expect(await statusChanges()).toBe(changesBefore);
    await tweets.setStatus(T.t2, 'active');
  });

  it('shows batch runs and starts a manual run (202), refusing a second while the first has not ended', async () => {
    const list = await core.fetch('/api/batches');
    const runs = (await list.json()) as Array<Record<string, unknown>>;
    expect(runs[0]).toMatchObject({ id: runId, status: 'succeeded', trigger: 'schedule', stats: { requests: 4, costUsd: 0.02 } });
    expect(typeof runs[0]!.durationMs).toBe('number');
    const start = await admin.fetch('/api/batches', { method: 'POST', body: {} });
    expect(start.status).toBe(202);
    const run = (await start.json()) as { id: string; status: string; trigger: string; jobName: string };
    expect(run).toMatchObject({ status: 'running', trigger: 'manual' });
    expect(app.launcher.launched).toEqual([{ runId: run.id, jobName: run.jobName }]);
    expect((await admin.fetch('/api/batches', { method: 'POST', body: {} })).status).toBe(409);
    expect(await (await core.fetch(`/api/batches/${run.id}`)).json()).toMatchObject({ id: run.id, status: 'running' });
    const many = await core.fetch(`/api/batches${q({ filter: { id: [runId, run.id, 'run-nope'] } })}`);
    expect(((await many.json()) as Array<{ id: string }>).map((r) => r.id).sort()).toEqual([runId, run.id].sort());
    const audit = (await (await core.fetch(`/api/audit-log${q({ range: [0, 1] })}`)).json()) as Array<{ id: string }>;
    const one = await core.fetch(`/api/audit-log${q({ filter: { id: [audit[0]!.id] } })}`);
    expect(await one.json()).toEqual([audit[0]]);
    expect(await (await core.fetch(`/api/audit-log/${audit[0]!.id}`)).json()).toEqual(audit[0]);
  });

  it('gives the dashboard overview', async () => {
    const o = (await (await core.fetch('/api/overview')).json()) as Record<string, unknown> & { pointsPerDay: unknown[] };
    expect(o).toMatchObject({ activeTweets: 2, linkedMembers: 2, topScore: expect.any(Number) });
    expect(o.pointsPerDay).toHaveLength(30);
    expect((o.lastRun as { trigger: string }).trigger).toBe('manual');
  });
});

describe('sessions, CSRF and API tokens', () => {
  it('tells who is signed in, sets a readable CSRF cookie and an httpOnly session cookie, and signs out', async () => {
    const res = await fetch(`${app.url}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"core"}' });
    const set = res.headers.getSetCookie();
    expect(set.find((c) => c.startsWith('et_session='))).toMatch(/HttpOnly/i);
    expect(set.find((c) => c.startsWith('et_session='))).toMatch(/SameSite=Lax/i);
    expect(set.find((c) => c.startsWith('et_csrf='))).not.toMatch(/HttpOnly/i);
    expect(await (await core.fetch('/auth/me')).json()).toMatchObject({ id: '100000000000000901', name: 'Sandbox Core', role: 'core' });
    const temp = await app.login('admin');
    expect((await temp.fetch('/auth/logout', { method: 'POST' })).status).toBe(204);
    expect((await temp.fetch('/auth/me')).status).toBe(401);
    expect((await temp.fetch('/api/tweets')).status).toBe(401);
    expect((await fetch(`${app.url}/auth/me`)).status).toBe(401);
  });

  it('refuses cookie-authenticated writes without the matching CSRF header', async () => {
    expect((await admin.fetch('/api/rules/1', { method: 'PUT', body: { like: 2 }, csrf: false })).status).toBe(403);
    const forged = client(app.url, admin.cookie, 'not-the-token');
    expect((await forged.fetch('/api/rules/1', { method: 'PUT', body: { like: 2 } })).status).toBe(403);
    // Another session's CSRF token does not work either.
    const other = client(app.url, admin.cookie.replace(/et_csrf=[^;]+/, `et_csrf=${core.csrf}`), core.csrf);
    expect((await other.fetch('/api/rules/1', { method: 'PUT', body: { like: 2 } })).status).toBe(403);
    expect((await admin.fetch('/api/rules/1', { method: 'PUT', body: { like: 2 } })).status).toBe(200);
  });

  it('creates scoped API tokens shown once and stored hashed; revoking stops them', async () => {
    const res = await admin.fetch('/api/api-tokens', { method: 'POST', body: { name: 'grafana', scopes: ['read'] } });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; token: string };
    expect(created.token).toMatch(/^et_[0-9a-f]{12}_/);
    const stored = await app.stores.ctx.redis.get(`${app.stores.keys.prefix}:apitoken:${created.id}`);
    expect(stored).not.toContain(created.token);
    const listed = (await (await admin.fetch('/api/api-tokens')).json()) as Array<Record<string, unknown>>;
    expect(listed.find((t) => t.id === created.id)).not.toHaveProperty('token');
    const bearer = { authorization: `Bearer ${created.token}` };
    expect((await fetch(`${app.url}/api/tweets`, { headers: bearer })).status).toBe(200);
    // No CSRF needed for bearer calls, but the scope decides: read-only cannot write.
    expect((await fetch(`${app.url}/api/rules/reset`, { method: 'POST', headers: bearer })).status).toBe(403);
    expect((await fetch(`${app.url}/api/api-tokens`, { headers: bearer })).status).toBe(403);
    expect((await admin.fetch(`/api/api-tokens/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${app.url}/api/tweets`, { headers: bearer })).status).toBe(401);
    expect((await fetch(`${app.url}/api/tweets`, { headers: { authorization: 'Bearer et_000000000000_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' } })).status).toBe(401);
  });

  it('serves health, readiness and security headers, and limits body size', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-content-type-options')).toBe('nosniff');
    expect(ready.headers.get('content-security-policy')).toContain("default-src 'self'");
    const big = await admin.fetch('/api/rules/1', { method: 'PUT', body: { like: 1, pad: 'x'.repeat(200_000) } });
    expect(big.status).toBe(413);
  });
});

describe('anomalous members', () => {
  it('lists the members whose points exploded in the last 24 hours, with their gain and baseline', async () => {
    const anomalous = async () => {
      const res = await core.fetch(`/api/members${q({ filter: { anomalous: true } })}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Array<{ id: string; anomaly: { gain24h: number; baselinePerDay: number } }>;
    };
    const before = await anomalous();
    expect(before.map((m) => m.id)).not.toContain(M.dave);
    const adj = await admin.fetch(`/api/members/${M.dave}/adjustments`, { method: 'POST', body: { delta: 5000, reason: 'typo in the amount' } });
    expect(adj.status).toBe(201);
    const after = await anomalous();
    const dave = after.find((m) => m.id === M.dave);
    expect(dave?.anomaly.gain24h).toBe(5000);
    expect(dave!.anomaly.baselinePerDay).toBeGreaterThan(0);
    await admin.fetch(`/api/members/${M.dave}/adjustments`, { method: 'POST', body: { delta: -5000, reason: 'typo fixed' } });
    expect((await anomalous()).map((m) => m.id)).not.toContain(M.dave);
  });
});
