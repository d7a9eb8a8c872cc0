import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodOf } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { startTestApp, type Client, type TestApp } from './app-harness';

let redis: TestRedisServer;
let app: TestApp;
let core: Client;

const A = '920000000000000001';
const B = '920000000000000002';
const C = '920000000000000003';
const enc = (v: unknown) => encodeURIComponent(JSON.stringify(v));

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  app = await startTestApp(redis);
  core = await app.login('core');
});
afterAll(async () => {
  await app?.close();
  await redis?.stop();
});

describe('leaderboard windows (day, week, month, season, all time)', () => {
  it('lists, pages and exports each board, with past periods to browse', async () => {
    const r = app.stores.ctx.redis;
    const lb = app.stores.leaderboard;
    const today = periodOf('day', Date.now());
    const month = periodOf('month', Date.now());
    const lastMonth = periodOf('month', Date.now() - 40 * 86_400_000);
    const season = await app.stores.seasons.create({ name: 'Sprint', startsAt: Date.now() - 3_600_000, endsAt: Date.now() + 86_400_000 }, 'test');
    await r.zadd(lb.key({ board: 'daily', period: today }), 5, A, 9, B);
    await r.zadd(lb.key({ board: 'monthly', period: month }), 50, A, 9, B, 20, C);
    await r.zadd(lb.key({ board: 'monthly', period: lastMonth }), 7, C);
    await r.zadd(lb.key({ board: 'season', season: season.id }), 100, C);

    const ids = async (filter: unknown) => {
      const res = await core.fetch(`/api/leaderboard?filter=${enc(filter)}&range=${enc([0, 9])}`);
      expect(res.status).toBe(200);
      return ((await res.json()) as Array<{ id: string; points: number }>).map((e) => `${e.id.slice(-1)}:${e.points}`);
    };
    expect(await ids({ board: 'daily' })).toEqual(['2:9', '1:5']);
    expect(await ids({ board: 'daily', period: today })).toEqual(['2:9', '1:5']);
    expect(await ids({ board: 'monthly' })).toEqual(['1:50', '3:20', '2:9']);
    expect(await ids({ board: 'monthly', period: lastMonth })).toEqual(['3:7']);
    expect(await ids({ board: 'season', season: season.id })).toEqual(['3:100']);
    expect(await ids({ board: 'weekly' })).toEqual([]);

    const periods = await core.fetch('/api/leaderboard/periods?board=monthly');
    expect(await periods.json()).toEqual([month, lastMonth]);

    // Bad windows are refused at the edge.
    expect((await core.fetch(`/api/leaderboard?filter=${enc({ board: 'season' })}`)).status).toBe(400);
    expect((await core.fetch(`/api/leaderboard?filter=${enc({ board: 'monthly', period: today })}`)).status).toBe(400);
    expect((await core.fetch(`/api/leaderboard?filter=${enc({ board: 'hourly' })}`)).status).toBe(400);
    expect((await core.fetch('/api/leaderboard/periods?board=season')).status).toBe(400);

    const csv = await core.fetch(`/api/leaderboard/export.csv?board=season&season=${season.id}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="leaderboard-season-${season.id}.csv"`);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^1,"${C}",.*,100$`));
    const monthCsv = await (await core.fetch(`/api/leaderboard/export.csv?board=monthly&period=${lastMonth}`)).text();
    expect(monthCsv.trim().split('\n').slice(1)).toEqual([expect.stringMatching(new RegExp(`^1,"${C}",.*,7$`))]);
  });
});
