import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedis, createStores, SANDBOX_ENCRYPTION_KEY, type RedisClient, type Stores } from '@engagement-tracker/core';
import { freePort } from '@engagement-tracker/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineLevel, loadStackConfig, portIsFree, startStack, type Stack } from '../src/stack';
import { DEMO_REWARD_POINTS } from '../src/stack/demo-role-reward';

/**
 * `npm start` in sandbox mode, end to end: a local redis-server, the doubles, the simulated
 * community, the admin API with the console, the bot and the batch schedule, all real processes.
 */
describe('npm start (sandbox)', () => {
  let dir: string;
  let stack: Stack;
  let redis: RedisClient;
  let stores: Stores;
  const lines: string[] = [];
  let t0 = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'et-stack-'));
    const port = await freePort();
    const config = loadStackConfig({
      STACK_DATA_DIR: dir,
      STACK_REDIS_PORT: String(await freePort()),
      ADMIN_API_PORT: String(port),
      STACK_COMMUNITY_SIZE: '6',
      STACK_COMMUNITY_TICK_MS: '300',
      // Often enough that a scheduled run would come before the first run if the schedule started early.
      STACK_SANDBOX_BATCH_SCHEDULE: '*/3 * * * * *',
      LOG_LEVEL: 'warn',
    });
    t0 = Date.now();
    stack = await startStack(config, { echo: (l) => lines.push(l), env: { ...process.env, OTEL_SDK_DISABLED: 'true', BATCH_SCHEDULE: undefined } });
    redis = createRedis(stack.redisUrl);
    redis.on('error', () => undefined);
    stores = createStores(redis, { encryptionKey: SANDBOX_ENCRYPTION_KEY });
  }, 120_000);

  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('fills the console: members, tweets, a finished run, a leaderboard (time to the first run printed as a figure)', async () => {
    await expect
      .poll(async () => (await stores.batches.list({ offset: 0, limit: 20, filter: {} })).items.filter((r) => r.status === 'succeeded' || r.status === 'partial').length, { timeout: 240_000, interval: 1000 })
      .toBeGreaterThan(0);
    // How long it took is a figure, printed below, not a pass mark: on a loaded machine it takes longer.
    const elapsed = Date.now() - t0;
    // The first run is the one over the community's first round: the schedule starts only after it.
    const runs = (await stores.batches.list({ offset: 0, limit: 100, filter: {} })).items;
    expect(runs.reduce((a, b) => (b.startedAt < a.startedAt ? b : a)).trigger).toBe('cli');
    // No process logged an error on the way (warnings and errors are what the stack echoes).
    expect(lines.filter((l) => (lineLevel(l.replace(/^\[[^\]]+\] /, '')) ?? 0) >= 50)).toEqual([]);
    expect(await stores.connections.count()).toBeGreaterThanOrEqual(4);
    expect(await stores.tweets.count()).toBeGreaterThanOrEqual(2);
    const board = await stores.leaderboard.top({ board: 'alltime', limit: 10 });
    expect(board.entries.length).toBeGreaterThan(0);
    expect(board.entries[0]!.points).toBeGreaterThan(0);
    const community = stack.community!.stats();
    expect(community.linked).toBe(await stores.connections.count());
    expect(community.submitted).toBeGreaterThanOrEqual(2);
    console.info(JSON.stringify({ figure: 'npm_start_to_first_finished_run_ms', value: elapsed, ...community }));
  }, 300_000);

  it('applies the example role reward: members over its threshold get the Regular role from the bot', async () => {
    const [rule] = await stores.roleRewards.list();
    expect(rule).toMatchObject({ name: 'Regular', roleId: stack.doubles!.regularRoleId, condition: { type: 'points', minPoints: DEMO_REWARD_POINTS } });
    await expect.poll(async () => (await stores.roleRewards.status(rule!.id)).state, { timeout: 120_000, interval: 1000 }).toBe('ok');
    const discord = stack.doubles!.discord;
    await expect.poll(() => discord.roleChanges.filter((c) => c.roleId === rule!.roleId && c.changed).length, { timeout: 240_000, interval: 1000 }).toBeGreaterThan(0);
    for (const id of await stores.roleRewards.holders(rule!.id)) {
      expect(discord.members.roles(id)).toContain(rule!.roleId);
      expect((await stores.leaderboard.scores([id], { board: 'alltime' }))[0]).toBeGreaterThanOrEqual(DEMO_REWARD_POINTS);
    }
  }, 300_000);

  it('serves the console and the API on the printed URL', async () => {
    const base = `http://127.0.0.1:${new URL(stack.consoleUrl).port}`;
    const index = await fetch(`${base}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    expect((await fetch(`${base}/auth/me`)).status).toBe(401);
    const login = await fetch(`${base}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'admin' }) });
    expect(login.status).toBeLessThan(300);
  });

  it('stops every process and redis cleanly', async () => {
    const redisPort = Number(new URL(stack.redisUrl).port);
    const services = stack.services;
    redis.disconnect();
    await stack.stop();
    for (const s of services) expect(s.running()).toBe(false);
    for (const s of services.filter((x) => x.name !== 'batch-first-run')) expect((await s.exited).code, `${s.name} exit code`).toBe(0);
    expect(await portIsFree(redisPort)).toBe(true);
  }, 60_000);
});
