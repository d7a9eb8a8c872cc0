/**
 * Role sync benchmark: what one sync costs when every qualifying member already holds the role (the steady
 * state the bot is in almost every 30 s), with BENCH_MEMBERS (default 2,000) members over a points rule's
 * threshold, all granted by the bot.
 *
 * Side by side in this process, against the same Discord double and Redis:
 *  - sync: the real RoleSync.sync (two REST reads for the guild's roles and the bot's member, the boards and
 *    the managed holders from Redis, the plan; no Discord write since nothing changed);
 *  - baseline: deciding the same thing by asking Discord, one GET member per qualifying member (what a bot
 *    that keeps no record of its grants must do to know who holds the role), no writes either.
 * Prints one JSON line per figure. Env: BENCH_MEMBERS (2000), BENCH_SYNCS (10), BENCH_BASELINE_ROUNDS (2: each
 * round is BENCH_MEMBERS requests that @discordjs/rest queues one after another on the route's bucket).
 */
import { randomBytes } from 'node:crypto';
import { Client, Events, GatewayIntentBits, Routes, type Guild } from 'discord.js';
import { Registry } from 'prom-client';
import { createLogger, createRedis, createStores } from '@engagement-tracker/core';
import { startRedisServer } from '@engagement-tracker/core/testing';
import { PERMISSIONS, startDiscordDouble } from '@engagement-tracker/sandbox/discord';
import type { BotContext } from '../src/context';
import { RoleSync } from '../src/jobs/role-sync';
import { createBotMetrics } from '../src/metrics';

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 2000);
const SYNCS = Number(process.env.BENCH_SYNCS ?? 10);
const BASELINE_ROUNDS = Number(process.env.BENCH_BASELINE_ROUNDS ?? 2);
const GUILD = '800000000000000001';
const ROLE = '820000000000000001';
const BOT_ROLE = '820000000000000002';
const memberId = (i: number) => String(810000000000000000n + BigInt(i));

const emit = (o: Record<string, unknown>) => console.log(JSON.stringify(o));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const redis = await startRedisServer({ aof: false });
  const double = await startDiscordDouble({
    guilds: [{ id: GUILD, roles: [{ id: ROLE, name: 'Regular' }, { id: BOT_ROLE, name: 'Tracker', permissions: PERMISSIONS.MANAGE_ROLES }], botRoles: [BOT_ROLE] }],
  });
  const client = createRedis(redis.url);
  const stores = createStores(client, { prefix: `rb${randomBytes(4).toString('hex')}`, encryptionKey: randomBytes(32).toString('hex') });
  const discord = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: double.url } });
  try {
    const rule = await stores.roleRewards.create({ name: 'Regular', roleId: ROLE, condition: { type: 'points', minPoints: 10 }, removeWhenLost: true }, 'bench');
    const ids = Array.from({ length: MEMBERS }, (_, i) => memberId(i));
    for (const id of ids) double.state.addMember(GUILD, { id, username: `m${id.slice(-5)}`, roles: [ROLE] });
    const board = stores.leaderboard.key({ board: 'alltime' });
    for (let i = 0; i < ids.length; i += 500) await client.zadd(board, ...ids.slice(i, i + 500).flatMap((id, k) => [10 + ((i + k) % 1000), id]));
    for (let i = 0; i < ids.length; i += 100) await Promise.all(ids.slice(i, i + 100).map((id) => stores.roleRewards.recordGranted(rule.id, id, 'bot', 'bench seed')));

    await discord.login(double.botToken);
    await new Promise<void>((r) => (discord.isReady() ? r() : discord.once(Events.ClientReady, () => r())));
    const guild = discord.guilds.cache.get(GUILD) as Guild;
    const ctx = { stores, logger: createLogger('bench', 'silent'), metrics: createBotMetrics(new Registry()), now: Date.now } as unknown as BotContext;
    const sync = new RoleSync(discord, ctx, { intervalMs: 60_000, maxChanges: 50 });

    const syncMs: number[] = [];
    const baseMs: number[] = [];
    let planned = 0;
    const writesBefore = double.roleChanges.length;
    for (let n = 0; n < SYNCS; n++) {
      let t = performance.now();
      planned += (await sync.sync(guild)).planned;
      syncMs.push(performance.now() - t);
      if (n >= BASELINE_ROUNDS) continue;
      t = performance.now();
      let holding = 0;
      for (let i = 0; i < ids.length; i += 50) {
        const got = await Promise.all(ids.slice(i, i + 50).map((id) => discord.rest.get(Routes.guildMember(GUILD, id)) as Promise<{ roles: string[] }>));
        holding += got.filter((m) => m.roles.includes(ROLE)).length;
      }
      baseMs.push(performance.now() - t);
      if (holding !== MEMBERS) throw new Error(`baseline saw ${holding} holders of ${MEMBERS}`);
    }
    if (planned !== 0 || double.roleChanges.length !== writesBefore) throw new Error(`the steady state planned ${planned} changes`);
    const sentBySync = double.sent.filter((c) => c.path === `/guilds/${GUILD}/roles` || c.path === `/guilds/${GUILD}/members/${double.applicationId}`).length;
    emit({ bench: 'bot.role_sync.steady_state', members: MEMBERS, syncs: SYNCS, p50Ms: Math.round(median(syncMs) * 10) / 10, maxMs: Math.round(Math.max(...syncMs) * 10) / 10, discordCallsPerSync: sentBySync / SYNCS });
    emit({ bench: 'bot.role_sync.baseline_member_reads', members: MEMBERS, rounds: BASELINE_ROUNDS, p50Ms: Math.round(median(baseMs) * 10) / 10, discordCallsPerSync: MEMBERS, ratio: Math.round((median(baseMs) / median(syncMs)) * 10) / 10 });
  } finally {
    await discord.destroy();
    client.disconnect();
    await double.close();
    await redis.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
