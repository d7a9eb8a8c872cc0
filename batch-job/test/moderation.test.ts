import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { memberDiscordId } from '@engagement-tracker/sandbox/x';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIM_END, startSim, type Sim } from './harness';

let server: TestRedisServer;
let redis: Redis;
const sims: Sim[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.client();
});
afterAll(async () => {
  for (const s of sims) await s.close();
  await server.stop();
});

const small = { seed: 21, members: 30, tweets: 12, memberRates: { like: 5, retweet: 2, reply: 1.5, quote: 1 }, outsiderRates: { like: 10, retweet: 2, reply: 2, quote: 1 } };

describe('moderation in a batch run', () => {
  it('never reads X for a banned member and awards them nothing, while the others are awarded', async () => {
    const s = await startSim(redis, small);
    sims.push(s);
    await s.advanceTo(SIM_END);
    const truth = s.sc.truth();
    // the member with the most engagement gets banned
    const byMember = new Map<string, number>();
    for (const k of truth) byMember.set(k.split('|')[1]!, (byMember.get(k.split('|')[1]!) ?? 0) + 1);
    const [xId] = [...byMember.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const idx = s.sc.members.findIndex((m) => m.id === xId);
    const discordId = memberDiscordId(idx);
    await s.stores.bans.ban(discordId, 'engagement ring', 'admin:1');
    const out = await s.run();
    expect(out.status).toBe('succeeded');
    expect(out.stats.membersBanned).toBe(1);
    const aboutThem = s.x.requests.filter((q) =>
      q.path.includes(`/users/${xId}/`) || (q.query.ids ?? '').split(',').includes(xId) || (q.query.query ?? '').includes(`from:${xId}`) || q.userId === xId);
    expect(aboutThem).toEqual([]);
    const awarded = await s.awarded();
    expect([...awarded].filter((k) => k.split('|')[1] === xId)).toEqual([]);
    expect([...awarded].filter((k) => truth.has(k)).length).toBe(awarded.size);
    expect(awarded.size).toBe([...truth].filter((k) => k.split('|')[1] !== xId).length);
    expect((await s.stores.ledger.checkConsistency()).drift).toEqual([]);
  });
});
