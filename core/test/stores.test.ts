import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, DEFAULT_RULES, StaleFenceError } from '../src';
import { createStores } from '../src';
import { startTestRedis, type TestRedis } from '../src/testing';
import { makeStores, seedCommunity, TEST_KEY, TWEET } from './helpers';

let server: TestRedis;
beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => server.stop());

const tokens = { accessToken: 'secret-access-token', refreshToken: 'secret-refresh-token', expiresAt: 1, scopes: ['like.read'] };

describe('connections', () => {
  it('links one X account per member and the reverse, with lookups by id and handle', async () => {
    const { stores } = makeStores(server);
    await stores.connections.link({ discordId: 'd1', displayName: 'Ann', xUserId: '111', handle: 'Ann_X', scopes: ['like.read'], tokens });
    expect((await stores.connections.getByHandle('@ann_x'))!.discordId).toBe('d1');
    expect((await stores.connections.getByXUserId('111'))!.handle).toBe('Ann_X');
    expect((await stores.members.get('d1'))!.tier).toBe(1);
    await expect(stores.connections.link({ discordId: 'd2', displayName: 'Bob', xUserId: '111', handle: 'Ann_X', scopes: [], tokens })).rejects.toBeInstanceOf(ConflictError);
    // Relinking d1 to another account frees the old one.
    await stores.connections.link({ discordId: 'd1', displayName: 'Ann', xUserId: '222', handle: 'ann2', scopes: [], tokens });
    expect(await stores.connections.getByXUserId('111')).toBeNull();
    expect(await stores.connections.getByHandle('ann_x')).toBeNull();
    await stores.connections.link({ discordId: 'd2', displayName: 'Bob', xUserId: '111', handle: 'Ann_X', scopes: [], tokens });
    expect(await stores.connections.count()).toBe(2);
  });

  it('encrypts tokens at rest, bound to the member', async () => {
    const { stores, redis } = makeStores(server);
    await stores.connections.link({ discordId: 'd1', displayName: 'Ann', xUserId: '111', handle: 'ann', scopes: [], tokens });
    const raw = (await redis.get(stores.keys.tokens('d1')))!;
    expect(raw).not.toContain('secret');
    expect(raw.startsWith('v1:')).toBe(true);
    expect(await stores.connections.getTokens('d1')).toEqual(tokens);
    // A blob moved to another member's key does not decrypt.
    await redis.set(stores.keys.tokens('d2'), raw);
    await expect(stores.connections.getTokens('d2')).rejects.toThrow();
    // A blob whose GCM tag is cut to 4 bytes is refused (GCM would otherwise check only those 4 bytes).
    const empty = Buffer.from(stores.ctx.cipher.encrypt('', 'd1').slice(3), 'base64');
    expect(stores.ctx.cipher.decrypt(`v1:${empty.toString('base64')}`, 'd1')).toBe('');
    expect(() => stores.ctx.cipher.decrypt(`v1:${empty.subarray(0, 16).toString('base64')}`, 'd1')).toThrow(/truncated/);
    await stores.connections.saveTokens('d1', { ...tokens, accessToken: 'new' });
    expect((await stores.connections.getTokens('d1'))!.accessToken).toBe('new');
  });

  it('unlinks: link, tokens and reverse lookups gone, audited; status changes', async () => {
    const { stores, redis } = makeStores(server);
    await stores.connections.link({ discordId: 'd1', displayName: 'Ann', xUserId: '111', handle: 'ann', scopes: [], tokens });
    await stores.connections.setStatus('d1', 'needs_reconnect', 'token revoked');
    expect((await stores.connections.get('d1'))!.status).toBe('needs_reconnect');
    expect((await stores.connections.unlink('d1', 'admin:9'))!.xUserId).toBe('111');
    expect(await stores.connections.get('d1')).toBeNull();
    expect(await redis.exists(stores.keys.tokens('d1'), stores.keys.twitterId('111'), stores.keys.twitterHandle('ann'))).toBe(0);
    expect(await stores.connections.unlink('d1', 'admin:9')).toBeNull();
    const audit = await stores.audit.list({ filter: { target: 'member:d1' } });
    expect(audit.items.map((a) => a.action)).toEqual(['connection.unlink', 'connection.link']);
    // A token refresh or a status change that lands after the unlink brings nothing back.
    expect(await stores.connections.saveTokens('d1', { ...tokens, accessToken: 'late' })).toBe(false);
    expect(await stores.connections.setStatus('d1', 'needs_reconnect', 'late')).toBe(false);
    expect(await redis.exists(stores.keys.tokens('d1'), stores.keys.connection('d1'))).toBe(0);
    // Relinked to another X account: tokens refreshed for the old account do not overwrite the new ones.
    await stores.connections.link({ discordId: 'd1', displayName: 'Ann', xUserId: '333', handle: 'ann3', scopes: [], tokens });
    expect(await stores.connections.saveTokens('d1', { ...tokens, accessToken: 'old-account' }, { xUserId: '111' })).toBe(false);
    expect((await stores.connections.getTokens('d1'))!.accessToken).toBe(tokens.accessToken);
    expect(await stores.connections.saveTokens('d1', { ...tokens, accessToken: 'fresh' }, { xUserId: '333' })).toBe(true);
    expect((await stores.connections.getTokens('d1'))!.accessToken).toBe('fresh');
  });
});

describe('tweets', () => {
  it('refuses a duplicate by tweet id whatever the URL, and lists with filters and sorting', async () => {
    const { stores, clock } = makeStores(server);
    await seedCommunity(stores);
    const dup = await stores.tweets.submit({ tweetId: TWEET, url: 'https://twitter.com/other/status/' + TWEET, authorId: 'x1', authorHandle: 'user1', submitterId: 'm2', category: 'x', createdAt: 1 });
    expect(dup).toMatchObject({ ok: false, reason: 'duplicate', existing: { submitterId: 'm1' } });
    for (let i = 0; i < 5; i++) {
      clock.now += 1000;
      await stores.tweets.submit({ tweetId: `9${i}`, url: 'u', authorId: 'x2', authorHandle: 'user2', submitterId: i % 2 ? 'm2' : 'm3', category: i < 2 ? 'news' : 'memes', createdAt: 1 });
    }
    const page = await stores.tweets.list({ offset: 0, limit: 2 });
    expect(page.total).toBe(6);
    expect(page.items.map((t) => t.tweetId)).toEqual(['94', '93']);
    const news = await stores.tweets.list({ filter: { category: 'news' }, sort: 'submittedAt', order: 'ASC' });
    expect(news.items.map((t) => t.tweetId)).toEqual(['90', '91']);
    const bySubmitter = await stores.tweets.list({ filter: { submitterId: 'm2' } });
    expect(bySubmitter.items.map((t) => t.tweetId)).toEqual(['93', '91']);
    expect((await stores.tweets.listInWindow(clock.now - 2500)).map((t) => t.tweetId)).toEqual(['94', '93', '92']);
    await stores.tweets.updateMetrics('94', { likes: 5, retweets: 1, replies: 0, quotes: 0 });
    expect((await stores.tweets.get('94'))!.metrics.likes).toBe(5);
  });
});

describe('members and the audit log', () => {
  it('creates a member one way (command or X link), lists by points with the 0-point members, and reads audit entries by id', async () => {
    const { stores, clock } = makeStores(server);
    const first = await stores.members.ensure('d1', 'Ann');
    expect(first).toMatchObject({ discordId: 'd1', displayName: 'Ann', tier: 1, totalPoints: 0 });
    clock.now += 1000;
    expect(await stores.members.ensure('d1', '')).toMatchObject({ displayName: 'Ann', joinedAt: first.joinedAt }); // no name: kept
    // Linking X later finds the member and keeps when they joined.
    await stores.connections.link({ discordId: 'd1', displayName: 'Ann B', xUserId: '111', handle: 'ann', scopes: [], tokens });
    expect(await stores.members.get('d1')).toMatchObject({ displayName: 'Ann B', joinedAt: first.joinedAt });
    await stores.members.ensure('d2', 'Bob');
    await stores.members.ensure('d3', 'Cy');
    await stores.ledger.adjust({ discordId: 'd2', delta: 5, reason: 'seed', actor: 'admin:1' });
    const ids = async (order: 'ASC' | 'DESC', offset = 0, limit = 10) => (await stores.members.list({ sort: 'totalPoints', order, offset, limit })).items.map((m) => m.discordId);
    expect(await ids('DESC')).toEqual(['d2', 'd1', 'd3']);
    expect(await ids('ASC')).toEqual(['d1', 'd3', 'd2']);
    expect(await ids('DESC', 1, 1)).toEqual(['d1']);
    expect((await stores.members.list({ sort: 'totalPoints' })).total).toBe(3);
    expect(await stores.members.unlinkedIds()).toEqual(['d2', 'd3']);
    expect(await stores.leaderboard.scores(['d3', 'd2'], { board: 'weekly' })).toEqual([0, 5]);

    const e = await stores.audit.record({ actor: 'admin:1', action: 'probe', target: 'member:d1', after: { x: 1 } });
    expect(await stores.audit.get(e.id)).toEqual(e);
    expect(await stores.audit.get('1-1')).toBeNull();
    expect(await stores.audit.get('nope')).toBeNull();
  });
});

describe('tweet index', () => {
  it("a process's filtered lists and counts show every change made anywhere, as soon as it is made", async () => {
    const { stores: writer, clock } = makeStores(server);
    // Another process (the admin API) on the same keys, with its own in-process index.
    const reader = createStores(server.client(), { prefix: writer.keys.prefix, encryptionKey: TEST_KEY, now: () => clock.now });
    const active = () => reader.tweets.count('active');
    const byPoints = async () => (await reader.tweets.list({ filter: { category: 'general' }, sort: 'pointsAwarded', order: 'DESC' })).items.map((t) => `${t.tweetId}:${t.pointsAwarded}`);
    expect(await active()).toBe(0); // loaded while empty
    await seedCommunity(writer);
    expect(await active()).toBe(1);
    await writer.tweets.submit({ tweetId: '95', url: 'u', authorId: 'x2', authorHandle: 'user2', submitterId: 'm2', category: 'general', createdAt: 1 });
    expect(await byPoints()).toEqual(['95:0', `${TWEET}:0`]); // ties: by id, in the same direction
    await writer.ledger.award({ batchId: 'b1', engagements: [{ tweetId: '95', discordId: 'm3', kind: 'reply' }] });
    expect(await byPoints()).toEqual(['95:3', `${TWEET}:0`]);
    expect(await writer.tweets.setStatus(TWEET, 'unavailable', 'gone', 'active')).toBe(true);
    expect(await active()).toBe(1);
    expect((await reader.tweets.list({ filter: { status: 'unavailable' } })).items.map((t) => t.tweetId)).toEqual([TWEET]);
    await writer.tweets.remove('95', { revoke: true, actor: 'admin:1' });
    expect(await active()).toBe(0);
    expect(await byPoints()).toEqual(['95:0', `${TWEET}:0`]);
    // Many readers at once while changes land: each answer includes every change made before it was asked.
    const seen = await Promise.all(['96', '97', '98'].map(async (id) => {
      await writer.tweets.submit({ tweetId: id, url: 'u', authorId: 'x2', authorHandle: 'user2', submitterId: 'm2', category: 'general', createdAt: 1 });
      return active();
    }));
    expect(seen.every((n) => n >= 1)).toBe(true);
    expect(await active()).toBe(3);
    // The change set reset (e.g. restored from an old backup): the index reloads rather than missing changes.
    await server.client().del(writer.keys.tweetsChanged());
    await writer.tweets.setStatus('96', 'deleted');
    expect(await active()).toBe(2);
  });
});

describe('leaderboard', () => {
  it('pages, ranks, and orders ties deterministically', async () => {
    const { stores } = makeStores(server);
    await seedCommunity(stores, 5);
    for (const [id, pts] of [['m2', 10], ['m3', 10], ['m4', 30], ['m5', 5]] as const) {
      await stores.ledger.adjust({ discordId: id, delta: pts, reason: 'seed', actor: 'test' });
    }
    const first = await stores.leaderboard.top({ board: 'alltime', limit: 2 });
    const second = await stores.leaderboard.top({ board: 'alltime', offset: 2, limit: 2 });
    expect([...first.entries, ...second.entries].map((e) => `${e.rank}:${e.discordId}:${e.points}`)).toEqual(['1:m4:30', '2:m3:10', '3:m2:10', '4:m5:5']);
    expect(first.total).toBe(4);
    // An empty page is empty (ZRANGE 0 -1 would be the whole board).
    expect(await stores.leaderboard.top({ board: 'alltime', limit: 0 })).toEqual({ entries: [], total: 4 });
    expect((await stores.ledger.logsForMember('m2', { limit: 0 })).items).toEqual([]);
    expect((await stores.members.list({ limit: 0 })).items).toEqual([]);
    expect(await stores.leaderboard.rank('m2', { board: 'alltime' })).toEqual({ rank: 3, discordId: 'm2', points: 10 });
    expect(await stores.leaderboard.rank('m1', { board: 'alltime' })).toBeNull();
    await expect(stores.leaderboard.top({ board: 'weekly', week: 'last week' })).rejects.toThrow(/2026-W48/);
  });
});

describe('rules', () => {
  it('reads defaults, validates and audits edits, resets', async () => {
    const { stores } = makeStores(server);
    expect(await stores.rules.get()).toEqual(DEFAULT_RULES);
    const after = await stores.rules.setMany({ 2: { like: 5, quote: 7 } }, 'admin:1');
    expect(after[2]).toEqual({ like: 5, retweet: 4, reply: 6, quote: 7 });
    expect(await stores.rules.get()).toEqual(after);
    await expect(stores.rules.set(1, 'like', 5000, 'admin:1')).rejects.toThrow(/0 to 1000/);
    expect((await stores.rules.get())[1].like).toBe(1);
    // Setting the values already there is no change: nothing audited (nor a reset to the defaults twice).
    await stores.rules.setMany({ 2: { like: 5 } }, 'admin:3');
    expect(await stores.rules.reset('admin:2')).toEqual(DEFAULT_RULES);
    expect(await stores.rules.reset('admin:4')).toEqual(DEFAULT_RULES);
    const audit = await stores.audit.list({ filter: { target: 'rules' } });
    expect(audit.items.map((a) => `${a.actor}:${a.action}`)).toEqual(['admin:2:rules.reset', 'admin:1:rules.update']);
    // Two admins editing different cells at the same time: neither edit is lost.
    await Promise.all([stores.rules.setMany({ 1: { like: 9 } }, 'admin:1'), stores.rules.setMany({ 3: { reply: 20 } }, 'admin:2')]);
    const both = await stores.rules.get();
    expect([both[1].like, both[3].reply]).toEqual([9, 20]);
  });
});

describe('batch runs', () => {
  it('records progress, finishes once, and reaps a run that stopped reporting', async () => {
    const { stores, clock } = makeStores(server);
    const run = await stores.batches.create({ trigger: 'manual', jobName: 'et-batch-manual-1' });
    expect(run).toMatchObject({ status: 'running', trigger: 'manual', jobName: 'et-batch-manual-1' });
    expect(run.id).toMatch(/^run-20261124T120000Z-[0-9a-f]{6}$/);
    clock.now += 1000;
    expect(await stores.batches.heartbeat(run.id, { done: 3, total: 10, phase: 'likes' }, { requests: 4 })).toBe(true);
    expect((await stores.batches.get(run.id))!.progress).toEqual({ done: 3, total: 10, phase: 'likes' });
    const done = await stores.batches.finish(run.id, 'succeeded', { stats: { requests: 9 } });
    expect(done).toMatchObject({ status: 'succeeded', stats: { requests: 9 } });
    expect(await stores.batches.finish(run.id, 'failed', { error: 'late' })).toBeNull();
    expect(await stores.batches.heartbeat(run.id, { done: 4, total: 10, phase: 'x' })).toBe(false);
    expect((await stores.batches.list({ limit: 0 })).items).toEqual([]); // not the whole history
    expect((await stores.batches.list({ limit: -1 })).items).toEqual([]);
    await stores.audit.record({ actor: 'admin:1', action: 'probe', target: 'probe' });
    expect((await stores.audit.list({ limit: 0 })).items).toEqual([]);
    expect((await stores.audit.list({ limit: -1 })).items).toEqual([]);

    const dead = await stores.batches.create({ trigger: 'schedule' });
    clock.now += 10 * 60_000;
    expect(await stores.batches.reapStale(5 * 60_000)).toEqual([dead.id]);
    expect((await stores.batches.get(dead.id))!).toMatchObject({ status: 'failed', error: expect.stringMatching(/No heartbeat for 600 s/) });
    const list = await stores.batches.list({ limit: 10 });
    expect(list.items.map((r) => r.id)).toEqual([dead.id, run.id]);
    expect((await stores.batches.findByJobName('et-batch-manual-1'))!.id).toBe(run.id);
  });
});

describe('batch lock takeover and reaping', () => {
  it('takes the lock over from a holder whose heartbeat stopped (fenced, marked failed), never from a live one', async () => {
    const { stores, clock } = makeStores(server);
    await seedCommunity(stores);
    const a = await stores.batches.create({ trigger: 'schedule' });
    const lockA = (await stores.batches.acquireLock(a.id, 60_000, { aliveMs: 20_000 }))!;
    const b = await stores.batches.create({ trigger: 'schedule' });
    clock.now += 15_000;
    // A beat 15 s ago is alive: no takeover, however long the lock has left.
    expect(await stores.batches.acquireLock(b.id, 60_000, { aliveMs: 20_000 })).toBeNull();
    expect(await stores.batches.heartbeat(a.id, { done: 1, total: 2, phase: 'members' })).toBe(true);
    clock.now += 21_000;
    const lockB = (await stores.batches.acquireLock(b.id, 60_000, { aliveMs: 20_000 }))!;
    expect(lockB).toEqual({ fence: lockA.fence + 1, tookOver: a.id });
    expect(await stores.batches.get(a.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/No heartbeat for 21 s while holding the batch lock.*took the lock over/) });
    // The old holder is fenced out: no renewal, no awards.
    expect(await stores.batches.renewLock(a.id, lockA.fence, 60_000)).toBe(false);
    await expect(stores.ledger.award({ batchId: a.id, fence: lockA.fence, engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] })).rejects.toBeInstanceOf(StaleFenceError);
    expect((await stores.members.get('m2'))!.totalPoints).toBe(0);
    expect(await stores.batches.lockHolder()).toMatchObject({ runId: b.id, fence: lockB.fence });
    // Without aliveMs a held lock is simply held.
    expect(await stores.batches.acquireLock('run-x', 60_000)).toBeNull();
    // A holder that already finished but died before unlocking is taken over too.
    await stores.batches.finish(b.id, 'succeeded');
    const c = await stores.batches.create({ trigger: 'cli' });
    expect(await stores.batches.acquireLock(c.id, 60_000, { aliveMs: 20_000 })).toMatchObject({ tookOver: b.id });
    expect((await stores.batches.get(b.id))!.status).toBe('succeeded');
  });

  it('reaps a silent run at once (dropping its lock), gives a starting manual run its grace, and leaves skipped runs alone', async () => {
    const { stores, clock } = makeStores(server);
    const dead = await stores.batches.create({ trigger: 'schedule' });
    const lock = (await stores.batches.acquireLock(dead.id, 60_000))!;
    await stores.batches.heartbeat(dead.id, { done: 0, total: 1, phase: 'lock' });
    clock.now += 1;
    const placeholder = await stores.batches.create({ trigger: 'manual', jobName: 'job-1' });
    clock.now += 1;
    const skipped = await stores.batches.create({ trigger: 'schedule' });
    await stores.batches.finish(skipped.id, 'skipped', { error: 'held' });
    clock.now += 30_000;
    expect(await stores.batches.reapStale(20_000, { startGraceMs: 120_000 })).toEqual([dead.id]);
    expect(await stores.batches.get(dead.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/No heartbeat for 30 s/) });
    expect(await stores.batches.lockHolder()).toBeNull();
    expect(await stores.batches.renewLock(dead.id, lock.fence, 60_000)).toBe(false);
    expect((await stores.batches.get(placeholder.id))!.status).toBe('running');
    expect((await stores.batches.latest())!.id).toBe(placeholder.id);
    clock.now += 120_000;
    expect(await stores.batches.reapStale(20_000, { startGraceMs: 120_000, except: 'none' })).toEqual([placeholder.id]);
    expect((await stores.batches.get(skipped.id))!.status).toBe('skipped');
  });
});

describe('rate limits', () => {
  it('allows N hits per sliding window', async () => {
    const { stores, clock } = makeStores(server);
    const hits = [];
    for (let i = 0; i < 4; i++) hits.push(await stores.rateLimit('submit', 'd1', 3, 86_400_000));
    expect(hits.map((h) => h.allowed)).toEqual([true, true, true, false]);
    expect(hits[3]!.remaining).toBe(0);
    expect(hits[3]!.resetAt).toBe(clock.now + 86_400_000);
    clock.now += 86_400_001;
    expect((await stores.rateLimit('submit', 'd1', 3, 86_400_000)).allowed).toBe(true);
  });
});
