import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../src';
import { startTestRedis, type TestRedis } from '../src/testing';
import { makeStores } from './helpers';

let server: TestRedis;
beforeAll(async () => {
  server = await startTestRedis();
});
afterAll(async () => server.stop());

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('seasons', () => {
  it('creates, lists and audits a season; status follows the clock', async () => {
    const { stores, clock } = makeStores(server, NOW);
    const s = await stores.seasons.create({ name: ' Winter ', startsAt: NOW + DAY, endsAt: NOW + 30 * DAY, multiplierPct: 150, rewardTop: 10 }, 'admin:1');
    expect(s).toMatchObject({ name: 'Winter', status: 'scheduled', multiplierPct: 150, rewardTop: 10, categories: [] });
    expect((await stores.seasons.list()).map((x) => x.id)).toEqual([s.id]);
    clock.now = NOW + 2 * DAY;
    expect((await stores.seasons.get(s.id))!.status).toBe('running');
    expect((await stores.seasons.running()).map((x) => x.id)).toEqual([s.id]);
    clock.now = NOW + 31 * DAY;
    expect((await stores.seasons.get(s.id))!.status).toBe('ended');
    const audit = await stores.audit.list({ filter: { target: `season:${s.id}` } });
    expect(audit.items.map((a) => a.action)).toEqual(['season.create']);
    expect(audit.items[0]!.after).toMatchObject({ name: 'Winter', multiplierPct: 150 });
  });

  it('refuses overlapping seasons unless their categories differ, even when two admins race', async () => {
    const { stores } = makeStores(server, NOW);
    await stores.seasons.create({ name: 'A', startsAt: NOW, endsAt: NOW + 10 * DAY, categories: ['defi'] }, 'admin:1');
    await expect(stores.seasons.create({ name: 'B', startsAt: NOW + 5 * DAY, endsAt: NOW + 20 * DAY }, 'admin:1')).rejects.toBeInstanceOf(ConflictError);
    await stores.seasons.create({ name: 'C', startsAt: NOW + 5 * DAY, endsAt: NOW + 20 * DAY, categories: ['nft'] }, 'admin:1');
    // back to back is fine: the end is exclusive
    const d = await stores.seasons.create({ name: 'D', startsAt: NOW + 10 * DAY, endsAt: NOW + 12 * DAY, categories: ['defi'] }, 'admin:1');
    // an edit is checked too: A (running) may not run into D, nor D start inside A
    const a = (await stores.seasons.list()).find((x) => x.name === 'A')!;
    await expect(stores.seasons.update(a.id, { endsAt: NOW + 11 * DAY }, 'admin:1')).rejects.toThrow(/overlaps season "D"/);
    await expect(stores.seasons.update(d.id, { startsAt: NOW + 9 * DAY }, 'admin:1')).rejects.toThrow(/overlaps season "A"/);
    expect([(await stores.seasons.get(a.id))?.endsAt, (await stores.seasons.get(d.id))?.startsAt]).toEqual([NOW + 10 * DAY, NOW + 10 * DAY]);
    // ten admins create the same clashing season at once: exactly one wins
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => stores.seasons.create({ name: `E${i}`, startsAt: NOW + 30 * DAY, endsAt: NOW + 40 * DAY }, 'admin:1')),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof ConflictError)).toBe(true);
  });

  it('a running season keeps its start and categories, takes a new multiplier, and an ended one is frozen', async () => {
    const { stores, clock } = makeStores(server, NOW);
    const s = await stores.seasons.create({ name: 'Run', startsAt: NOW + DAY, endsAt: NOW + 10 * DAY, categories: ['a'] }, 'admin:1');
    // before it starts anything can change
    await stores.seasons.update(s.id, { startsAt: NOW + 2 * DAY }, 'admin:1');
    clock.now = NOW + 3 * DAY;
    await expect(stores.seasons.update(s.id, { startsAt: NOW + 4 * DAY }, 'admin:1')).rejects.toThrow(/keeps its startsAt/);
    await expect(stores.seasons.update(s.id, { categories: ['b'] }, 'admin:1')).rejects.toThrow(/keeps its categories/);
    const r = await stores.seasons.update(s.id, { multiplierPct: 200 }, 'admin:2');
    expect(r).toMatchObject({ changed: true, season: { multiplierPct: 200 } });
    // a no-op write is neither saved nor audited
    expect((await stores.seasons.update(s.id, { multiplierPct: 200, categories: ['a'] }, 'admin:2')).changed).toBe(false);
    const actions = (await stores.audit.list({ filter: { target: `season:${s.id}` } })).items.map((a) => a.action);
    expect(actions).toEqual(['season.update', 'season.update', 'season.create']);
    await expect(stores.seasons.remove(s.id, 'admin:1')).rejects.toThrow(/not started/);
    clock.now = NOW + 11 * DAY;
    await expect(stores.seasons.update(s.id, { name: 'Late' }, 'admin:1')).rejects.toThrow(/frozen/);
  });

  it('an edit checks again in its script: a season that starts or ends while an admin edits it keeps its start and categories, or stays frozen', async () => {
    const { stores, clock } = makeStores(server, NOW);
    const s = await stores.seasons.create({ name: 'Edge', startsAt: NOW + 1000, endsAt: NOW + DAY, categories: ['a'] }, 'admin:1');
    // The store reads the season at `read` (the first clock reading of the update), and writes at `write`.
    const readThenWrite = (read: number, write: number) => {
      let calls = 0;
      Object.defineProperty(clock, 'now', { configurable: true, get: () => (calls++ === 0 ? read : write) });
    };
    readThenWrite(NOW, NOW + 2000);
    await expect(stores.seasons.update(s.id, { startsAt: NOW + 5000 }, 'admin:1')).rejects.toThrow(/A running season keeps its startsAt and categories/);
    readThenWrite(NOW, NOW + 2000);
    await expect(stores.seasons.update(s.id, { categories: ['b'] }, 'admin:1')).rejects.toThrow(/keeps its startsAt and categories/);
    // What a running season may change goes through.
    readThenWrite(NOW, NOW + 2000);
    expect((await stores.seasons.update(s.id, { multiplierPct: 120 }, 'admin:1')).changed).toBe(true);
    // Read while it runs, written after its end: frozen.
    readThenWrite(NOW + 2000, NOW + DAY);
    await expect(stores.seasons.update(s.id, { multiplierPct: 130 }, 'admin:1')).rejects.toThrow(/has ended; its board is frozen/);
    Object.defineProperty(clock, 'now', { configurable: true, writable: true, value: NOW + 2 * DAY });
    expect(await stores.seasons.get(s.id)).toMatchObject({ startsAt: NOW + 1000, categories: ['a'], multiplierPct: 120, status: 'ended' });
    expect((await stores.audit.list({ filter: { target: `season:${s.id}` } })).items.map((a) => a.action)).toEqual(['season.update', 'season.create']);
  });

  it('refuses bad seasons with the field named', async () => {
    const { stores } = makeStores(server, NOW);
    await expect(stores.seasons.create({ name: 'x', startsAt: NOW, endsAt: NOW + 1000 }, 'a')).rejects.toThrow(/endsAt/);
    await expect(stores.seasons.create({ name: 'x', startsAt: NOW - 10 * DAY, endsAt: NOW - DAY }, 'a')).rejects.toBeInstanceOf(ValidationError);
    await expect(stores.seasons.create({ name: 'x', startsAt: NOW, endsAt: NOW + DAY, multiplierPct: 0 }, 'a')).rejects.toThrow(/multiplierPct/);
    expect(await stores.seasons.list()).toEqual([]);
  });

  it('deletes a season that has not started, and announces an ended one once', async () => {
    const { stores } = makeStores(server, NOW);
    const s = await stores.seasons.create({ name: 'Later', startsAt: NOW + DAY, endsAt: NOW + 2 * DAY }, 'admin:1');
    await stores.seasons.remove(s.id, 'admin:1');
    expect(await stores.seasons.get(s.id)).toBeNull();
    const t = await stores.seasons.create({ name: 'Now', startsAt: NOW, endsAt: NOW + 2 * DAY }, 'admin:1');
    const firsts = await Promise.all([1, 2, 3].map(() => stores.seasons.markAnnounced(t.id)));
    expect(firsts.filter(Boolean)).toHaveLength(1);
  });

  it('a delete is audited in the same script, and refused once the season has points, even by a caller whose clock is behind', async () => {
    const { stores, redis } = makeStores(server, NOW);
    const s = await stores.seasons.create({ name: 'Gone', startsAt: NOW + DAY, endsAt: NOW + 2 * DAY }, 'admin:1');
    await stores.seasons.remove(s.id, 'admin:2');
    const audit = (await stores.audit.list({ filter: { target: `season:${s.id}` } })).items;
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['season.delete', 'admin:2'], ['season.create', 'admin:1']]);
    expect(audit[0]!.before).toMatchObject({ name: 'Gone', startsAt: NOW + DAY });
    await expect(stores.seasons.remove(s.id, 'admin:2')).rejects.toThrow(/No season/);

    // A batch whose clock is past the start has already counted awards on the season's board.
    const t = await stores.seasons.create({ name: 'Starting', startsAt: NOW + 1000, endsAt: NOW + DAY }, 'admin:1');
    await redis.zadd(stores.leaderboard.key({ board: 'season', season: t.id }), 6, 'm1');
    await expect(stores.seasons.remove(t.id, 'admin:1')).rejects.toThrow(/not started can be deleted/);
    expect((await stores.seasons.get(t.id))?.name).toBe('Starting');
    expect((await stores.audit.list({ filter: { target: `season:${t.id}` } })).items.map((a) => a.action)).toEqual(['season.create']);
  });
});
