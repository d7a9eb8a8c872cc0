import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { startTestApp, type Client, type TestApp } from './app-harness';
import { M, seed, T } from './seed';

let redis: TestRedisServer;
let app: TestApp;
let admin: Client;
let core: Client;

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  app = await startTestApp(redis);
  await seed(app.stores);
  admin = await app.login('admin');
  core = await app.login('core');
});
afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

const json = async <T = Record<string, unknown>>(res: Response) => (await res.json()) as T;
const board = async () => (await json<Array<{ id: string }>>(await core.fetch('/api/leaderboard'))).map((e) => e.id);

describe('bans through the API', () => {
  it('bans with a reason (idempotent), hides the member from the leaderboard, shows the ban on the member, unbans; audited', async () => {
    expect(await board()).toContain(M.alice);
    expect((await admin.fetch('/api/bans', { method: 'POST', body: { discordId: M.alice, reason: 'x' } })).status).toBe(400);
    const created = await admin.fetch('/api/bans', { method: 'POST', body: { discordId: M.alice, reason: 'engagement ring' } });
    expect(created.status).toBe(201);
    expect((await admin.fetch('/api/bans', { method: 'POST', body: { discordId: M.alice, reason: 'engagement ring' } })).status).toBe(200);
    expect(await board()).not.toContain(M.alice);
    expect(await json(await core.fetch(`/api/members/${M.alice}`))).toMatchObject({ totalPoints: 12, ban: { reason: 'engagement ring', actor: expect.stringMatching(/^discord:/) } });
    const list = await core.fetch('/api/bans');
    expect(list.headers.get('content-range')).toBe('bans 0-0/1');
    expect((await core.fetch(`/api/bans/${M.alice}`, { method: 'DELETE', body: { reason: 'appeal' } })).status).toBe(403);
    expect((await admin.fetch(`/api/bans/${M.alice}`, { method: 'DELETE' })).status).toBe(400);
    expect((await admin.fetch(`/api/bans/${M.alice}`, { method: 'DELETE', body: { reason: 'appeal accepted' } })).status).toBe(200);
    expect((await admin.fetch(`/api/bans/${M.alice}`, { method: 'DELETE', body: { reason: 'appeal accepted' } })).status).toBe(404);
    expect(await board()).toContain(M.alice);
    const audit = await json<Array<{ action: string }>>(await core.fetch(`/api/audit-log?filter=${encodeURIComponent(JSON.stringify({ target: M.alice }))}`));
    expect(audit.map((a) => a.action).filter((a) => /^member\.(un)?ban$/.test(a))).toEqual(['member.unban', 'member.ban']);
  });
});

describe('review queue through the API', () => {
  it('lists held items, approves (awarding once) and dismisses (idempotent), refusing core users', async () => {
    await app.stores.ledger.award({
      batchId: 'run-x',
      engagements: [
        { tweetId: T.t1, discordId: M.bob, kind: 'reply', hold: { reason: 'reply', code: 'too_short', detail: 'too short', text: 'gm' } },
        { tweetId: T.t2, discordId: M.bob, kind: 'like', hold: { reason: 'ineligible', code: 'min_followers', detail: 'you need 50 followers on X (you have 3)' } },
      ],
    });
    const list = await core.fetch(`/api/review?filter=${encodeURIComponent(JSON.stringify({ reason: 'reply' }))}`);
    expect(list.headers.get('content-range')).toBe('review 0-0/1');
    const [item] = await json<Array<{ id: string; text: string }>>(list);
    expect(item).toMatchObject({ id: `${T.t1}:${M.bob}:reply`, text: 'gm', status: 'held' });
    const path = `/api/review/${encodeURIComponent(item!.id)}`;
    expect((await core.fetch(`${path}/approve`, { method: 'POST', body: {} })).status).toBe(403);
    const before = (await app.stores.members.get(M.bob))!.totalPoints;
    const ok = await json(await admin.fetch(`${path}/approve`, { method: 'POST', body: { note: 'fine in context' } }));
    expect(ok).toMatchObject({ status: 'approved', changed: true, points: 3 });
    expect(await json(await admin.fetch(`${path}/approve`, { method: 'POST', body: {} }))).toMatchObject({ status: 'approved', changed: false, points: 0 });
    expect((await app.stores.members.get(M.bob))!.totalPoints).toBe(before + 3);
    const other = `/api/review/${encodeURIComponent(`${T.t2}:${M.bob}:like`)}`;
    expect(await json(await admin.fetch(`${other}/dismiss`, { method: 'POST', body: {} }))).toMatchObject({ status: 'dismissed', changed: true });
    expect(await json(await admin.fetch(`${other}/dismiss`, { method: 'POST', body: {} }))).toMatchObject({ status: 'dismissed', changed: false });
    expect((await admin.fetch(`${path}/dismiss`, { method: 'POST', body: {} })).status).toBe(409);
    expect((await core.fetch('/api/review')).headers.get('content-range')).toMatch(/\/0$/);
    const held = await json<Array<{ status: string }>>(await core.fetch(`/api/members/${M.bob}/held`));
    expect(held.map((h) => h.status).sort()).toEqual(['approved', 'dismissed']);
    expect((await core.fetch('/api/review/not-an-id')).status).toBe(400);
    expect((await app.stores.ledger.checkConsistency()).drift).toEqual([]);
  });
});

describe('moderation settings through the API', () => {
  it('reads defaults (off), saves a change, and refuses bad input with a clear message', async () => {
    expect(await json(await core.fetch('/api/settings/moderation'))).toMatchObject({ id: 'moderation', relinkCooldownHours: 0, eligibility: { minFollowers: 0, requiredRoleIds: [] }, replies: { minWords: 0 } });
    const saved = await admin.fetch('/api/settings/moderation', { method: 'PUT', body: { id: 'moderation', eligibility: { minXAccountAgeDays: 30, minFollowers: 10 }, replies: { minWords: 3, duplicateThreshold: 0.9, blockedPhrases: ['follow back'] } } });
    expect(saved.status).toBe(200);
    expect(await json(saved)).toMatchObject({ eligibility: { minXAccountAgeDays: 30 }, replies: { blockedPhrases: ['follow back'] } });
    const bad = async (body: unknown) => {
      const res = await admin.fetch('/api/settings/moderation', { method: 'PUT', body });
      expect(res.status).toBe(400);
      return ((await res.json()) as { message: string }).message;
    };
    expect(await bad({ eligibility: { minXAccountAgeDays: -3 } })).toMatch(/Minimum X account age \(days\) must be a whole number from 0 \(off\)/);
    expect(await bad({ replies: { duplicateThreshold: 2 } })).toMatch(/Similarity threshold must be 0 \(off\) or from 0.5 to 1/);
    expect(await bad({ replies: { blockedPhrases: ['^free (money|crypto)$'] } })).toMatch(/looks like a regular expression/);
    expect(await bad({ relinkCooldownHours: 'soon' })).toMatch(/Relink cooldown/);
    expect(await bad({ colour: 'red' })).toMatch(/colour/);
    expect((await core.fetch('/api/settings/moderation', { method: 'PUT', body: { relinkCooldownHours: 1 } })).status).toBe(403);
    expect((await core.fetch('/api/settings/other')).status).toBe(400);
  });
});
