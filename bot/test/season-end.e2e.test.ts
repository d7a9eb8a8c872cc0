import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, createStores } from '@engagement-tracker/core';
import { IDS, startStack, type Stack } from './support/stack';

let s: Stack;
const HOUR = 3_600_000;

beforeAll(async () => {
  s = await startStack({ env: { SEASON_CHECK_INTERVAL_MS: '500' } });
}, 90_000);

afterAll(async () => {
  await s?.close();
});

describe('season end', () => {
  it('announces the final top N of an ended season in the engagement channel, once', async () => {
    // A season can only be created ending in the future: create it with a clock two hours back, so it
    // ends a few seconds from now on the real clock the bot uses.
    const client = createRedis(s.redis.url);
    const past = createStores(client, { prefix: s.env.REDIS_KEY_PREFIX!, encryptionKey: s.env.TOKEN_ENCRYPTION_KEY!, now: () => Date.now() - 2 * HOUR });
    const season = await past.seasons.create({ name: 'Autumn sprint', startsAt: Date.now() - 3 * HOUR, endsAt: Date.now() + 3000, rewardTop: 2 }, 'test');
    const board = s.stores.leaderboard.key({ board: 'season', season: season.id });
    await client.zadd(board, 30, IDS.bob, 50, IDS.carol, 10, IDS.dave);

    const msg = await s.discord.waitForMessage('engagement-tracker', (m) => m.content.includes('Autumn sprint'), 60_000);
    expect(msg.content).toMatch(/has ended/);
    const lines = msg.content.split('\n').slice(1);
    expect(lines).toEqual([`1. <@${IDS.carol}> — 50 pts`, `2. <@${IDS.bob}> — 30 pts`]);
    // More checks pass (500 ms apart) without a second announcement.
    await new Promise((r) => setTimeout(r, 3000));
    expect(s.discord.messages('engagement-tracker').filter((m) => m.content.includes('Autumn sprint'))).toHaveLength(1);
    expect(await s.stores.seasons.markAnnounced(season.id)).toBe(false);
    client.disconnect();
  }, 120_000);
});
