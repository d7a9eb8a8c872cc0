import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { startTestApp, type Client, type TestApp } from './app-harness';

let redis: TestRedisServer;
let app: TestApp;
let admin: Client;
let core: Client;

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  app = await startTestApp(redis);
  admin = await app.login('admin');
  core = await app.login('core');
});
afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

const DAY = 86_400_000;

describe('seasons resource (ra-data-simple-rest)', () => {
  it('creates, lists, edits and deletes seasons; core reads only', async () => {
    const start = Date.now() + DAY;
    const created = await admin.fetch('/api/seasons', { method: 'POST', body: { name: 'Winter sprint', startsAt: start, endsAt: start + 14 * DAY, multiplierPct: 150, capPerDay: 50, categories: ['defi'], rewardTop: 5 } });
    expect(created.status).toBe(201);
    const s = (await created.json()) as { id: string; status: string; multiplierPct: number };
    expect(s).toMatchObject({ status: 'scheduled', multiplierPct: 150 });

    const list = await core.fetch('/api/seasons');
    expect(list.headers.get('content-range')).toBe('seasons 0-0/1');
    expect((await core.fetch(`/api/seasons/${s.id}`)).status).toBe(200);
    expect((await core.fetch('/api/seasons', { method: 'POST', body: { name: 'x', startsAt: start, endsAt: start + DAY } })).status).toBe(403);

    // react-admin's edit sends the whole record back; null clears a cap
    const record = (await (await admin.fetch(`/api/seasons/${s.id}`)).json()) as Record<string, unknown>;
    const put = await admin.fetch(`/api/seasons/${s.id}`, { method: 'PUT', body: { ...record, multiplierPct: 200, capPerDay: null } });
    expect(put.status).toBe(200);
    const after = (await put.json()) as Record<string, unknown>;
    expect(after.multiplierPct).toBe(200);
    expect(after.capPerDay).toBeUndefined();

    // overlapping with the same categories: 409 with the reason; different categories: fine
    const clash = await admin.fetch('/api/seasons', { method: 'POST', body: { name: 'Clash', startsAt: start + DAY, endsAt: start + 3 * DAY, categories: ['defi'] } });
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as { message: string }).message).toMatch(/overlaps season "Winter sprint"/);
    expect((await admin.fetch('/api/seasons', { method: 'POST', body: { name: 'NFT', startsAt: start + DAY, endsAt: start + 3 * DAY, categories: ['nft'] } })).status).toBe(201);

    expect((await admin.fetch(`/api/seasons/${s.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await admin.fetch(`/api/seasons/${s.id}`)).status).toBe(404);
    const actions = (await app.stores.audit.list({ filter: { action: 'season.' } })).items.map((a) => a.action);
    expect(actions).toEqual(['season.delete', 'season.create', 'season.update', 'season.create']);
  });

  it.each([
    [{ name: 'x', startsAt: '2027-01-01', endsAt: 1 }, /startsAt/],
    [{ name: '', startsAt: Date.now() + DAY, endsAt: Date.now() + 2 * DAY }, /name/],
    [{ name: 'x', startsAt: Date.now() + DAY, endsAt: Date.now() + 2 * DAY, multiplierPct: 1.5 }, /multiplierPct/],
    [{ name: 'x', startsAt: Date.now() + DAY, endsAt: Date.now() + 2 * DAY, capPerPost: -1 }, /capPerPost/],
    [{ name: 'x', startsAt: Date.now() + DAY, endsAt: Date.now() + 2 * DAY, categories: ['a\u0000'] }, /control/],
    [{ name: 'x', startsAt: Date.now() + DAY, endsAt: Date.now() + 2 * DAY, rank: 1 }, /rank|Unrecognized/i],
    [{ name: 'x', startsAt: Date.now() + 2 * DAY, endsAt: Date.now() + DAY }, /endsAt/],
  ])('refuses %j with a 400 naming the problem', async (body, reason) => {
    const res = await admin.fetch('/api/seasons', { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(reason);
  });
});
