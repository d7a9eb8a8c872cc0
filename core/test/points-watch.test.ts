import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '../src/testing';
import { makeStores, seedCommunity, TWEET } from './helpers';

let server: TestRedisServer;
beforeAll(async () => {
  server = await startRedisServer({ aof: false });
});
afterAll(async () => server.stop());

const DAY = 86_400_000;

describe('anomalous point accumulation', () => {
  it("flags a member gaining far more than their own and the community's baseline, from awards and adjustments", async () => {
    const now = Date.now();
    const { stores, clock } = makeStores(server, now - 12 * DAY);
    await seedCommunity(stores, 3);
    // m3 has earned steadily for days: 1,500 points ten days ago.
    clock.now = now - 10 * DAY;
    await stores.ledger.adjust({ discordId: 'm3', delta: 1500, reason: 'old contest', actor: 'admin' });
    // Two hours ago m2 got 50 points by hand; now a batch run awards m2 a like.
    clock.now = now - 2 * 3_600_000;
    await stores.ledger.adjust({ discordId: 'm2', delta: 50, reason: 'small fix', actor: 'admin' });
    clock.now = now;
    const run = await stores.batches.create({ trigger: 'schedule' });
    const awarded = await stores.ledger.award({ batchId: run.id, engagements: [{ tweetId: TWEET, discordId: 'm2', kind: 'like' }] });
    expect(awarded.awarded).toBe(1);
    // Now m1, who never earned anything, and m3 each get 300.
    await stores.ledger.adjust({ discordId: 'm1', delta: 300, reason: 'suspicious', actor: 'admin' });
    await stores.ledger.adjust({ discordId: 'm3', delta: 300, reason: 'prize', actor: 'admin' });

    const report = await stores.points.report({ factor: 10, minMemberPoints: 100, minCommunityPoints: 500 });
    // m1: 300 against a baseline of 1 point a day. m3: 300 against ~136 a day of their own (not flagged).
    // m2: under the 100-point floor.
    expect(report.flagged.map((f) => f.discordId)).toEqual(['m1']);
    expect(report.flagged[0]).toMatchObject({ gain1h: 300, gain24h: 300, adjusted24h: 300 });
    expect(report.maxGain24h).toBe(300);
    expect(report.maxGain1h).toBe(300);
    const m2 = 50 + awarded.points;
    expect(report.last24h).toBe(300 + 300 + m2);
    expect(report.adjustments24h).toBe(3); // the one ten days ago is outside the window
    expect(report.adjustedPoints24h).toBe(650);
    expect(report.dailyMedian14d).toBe(0);
    expect(report.communityAnomalous).toBe(true);

    // Taking the points back ends both signals.
    await stores.ledger.adjust({ discordId: 'm1', delta: -300, reason: 'reverted', actor: 'admin' });
    const after = await stores.points.report({ factor: 10, minMemberPoints: 100, minCommunityPoints: 500 });
    expect(after.flagged).toEqual([]);
    expect(after.communityAnomalous).toBe(false);
    // A stricter factor flags nothing, a looser one also flags m3.
    await stores.ledger.adjust({ discordId: 'm1', delta: 300, reason: 'again', actor: 'admin' });
    expect((await stores.points.report({ factor: 1000, minMemberPoints: 100, minCommunityPoints: 500 })).flagged).toEqual([]);
    expect((await stores.points.report({ factor: 2, minMemberPoints: 100, minCommunityPoints: 500 })).flagged.map((f) => f.discordId).sort()).toEqual(['m1', 'm3']);
  });
});
