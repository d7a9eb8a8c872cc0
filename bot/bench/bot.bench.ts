/**
 * Bot interaction benchmark: interactions per second and latency from INTERACTION_CREATE (sent by the
 * Discord double over the gateway) to the interaction callback (received by the double over REST),
 * at a fixed open-loop rate (default 50/s), with 10,000 members in Redis.
 *
 * Two runs, side by side in this process against the same Discord double:
 *  - baseline: a bare discord.js client that answers every interaction at once with a fixed reply
 *    (the cost of discord.js + gateway + REST on this machine, no product logic);
 *  - bot: the real bot process (`bot/src/index.ts`) doing the real work against Redis and the X double.
 * The mix: 40% /stats, 30% /leaderboard, 20% leaderboard page buttons, 10% /submit (one X lookup each).
 * Then a short burst (BENCH_BURST_RATE, default 200/s for 5 s) shows the headroom.
 * Prints one JSON line per figure. Env: BENCH_RATE (50), BENCH_SECONDS (20), BENCH_MEMBERS (10000).
 */
import { randomBytes } from 'node:crypto';
import { Client, Events, GatewayIntentBits, MessageFlags, REST, Routes } from 'discord.js';
import { createRedis, createStores, type Stores } from '@engagement-tracker/core';
import { freePort, startRedisServer } from '@engagement-tracker/core/testing';
import { startDiscordDouble, type DiscordDouble, type InteractionResult } from '@engagement-tracker/sandbox/discord';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { COMMANDS } from '../src/commands';
import { startBotProcess } from '../test/support/bot-process';

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 10_000);
const BURST_RATE = Number(process.env.BENCH_BURST_RATE ?? 200);
const BURST_SECONDS = Number(process.env.BENCH_BURST_SECONDS ?? 5);
const WARMUP_S = 2;
const GUILD = '800000000000000001';
const memberId = (i: number) => String(810000000000000000n + BigInt(i));

function emit(o: Record<string, unknown>): void {
  console.log(JSON.stringify(o));
}

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function seedRedis(stores: Stores, x: XDouble): Promise<void> {
  const tokens = { accessToken: 'bench', expiresAt: Date.now() + 86_400_000, scopes: ['tweet.read', 'users.read', 'like.read', 'offline.access'] };
  const CONC = 200;
  for (let i = 0; i < MEMBERS; i += CONC) {
    await Promise.all(
      Array.from({ length: Math.min(CONC, MEMBERS - i) }, async (_, k) => {
        const id = memberId(i + k);
        await stores.members.ensure(id, `member${i + k}`);
        await stores.ledger.adjust({ discordId: id, delta: 1 + ((i + k) * 7919) % 5000, reason: 'bench seed', actor: 'bench' });
        if ((i + k) % 10 === 0) await stores.connections.link({ discordId: id, displayName: `member${i + k}`, xUserId: `${900000 + i + k}`, handle: `m${i + k}`, scopes: tokens.scopes, tokens });
      }),
    );
  }
  void x;
}

type Load = (double: DiscordDouble, n: number) => Promise<InteractionResult>;
const KIND_BY_SLOT = ['stats', 'stats', 'stats', 'stats', 'leaderboard', 'leaderboard', 'leaderboard', 'page_button', 'page_button', 'submit'];

/** Open-loop load at RATE/s for SECONDS; latencies of interactions after the warm-up. */
type Run = { rate: number; seconds: number; latencies: number[]; byKind: Record<string, number[]>; failed: number; sent: number; elapsedS: number };

async function drive(double: DiscordDouble, load: Load, rate = RATE, seconds = SECONDS): Promise<Run> {
  const RATE = rate;
  const total = rate * seconds;
  const latencies: number[] = [];
  const byKind: Record<string, number[]> = {};
  let failed = 0;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = start + (n * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const warm = n >= WARMUP_S * RATE;
    inflight.push(
      load(double, n).then(
        (r) => {
          if (!warm) return;
          latencies.push(r.latencyMs);
          (byKind[KIND_BY_SLOT[n % 10]!] ??= []).push(r.latencyMs);
        },
        () => {
          failed++;
        },
      ),
    );
  }
  await Promise.all(inflight);
  for (const l of Object.values(byKind)) l.sort((a, b) => a - b);
  return { rate, seconds, latencies: latencies.sort((a, b) => a - b), byKind, failed, sent: total, elapsedS: (performance.now() - start) / 1000 };
}

function report(variant: string, r: Run, bench = 'bot.interactions'): Record<string, number> {
  const figures = {
    p50Ms: pct(r.latencies, 50),
    p90Ms: pct(r.latencies, 90),
    p99Ms: pct(r.latencies, 99),
    maxMs: r.latencies.at(-1) ?? NaN,
    interactionsPerSec: Math.round((r.sent / r.elapsedS) * 10) / 10,
  };
  emit({ bench, variant, rate: r.rate, seconds: r.seconds, members: MEMBERS, measured: r.latencies.length, failed: r.failed, ...figures });
  if (bench !== 'bot.interactions') return figures;
  const perKind = Object.fromEntries(Object.entries(r.byKind).map(([k, l]) => [k, { n: l.length, p50Ms: pct(l, 50), p99Ms: pct(l, 99) }]));
  emit({ bench: 'bot.interactions.by_kind', variant, ...perKind });
  return figures;
}

async function main(): Promise<void> {
  const redisServer = await startRedisServer({ fsync: 'everysec' });
  const double = await startDiscordDouble({
    guilds: [{ id: GUILD, name: 'Bench', channels: [{ name: 'general' }, { name: 'engagement-tracker' }] }],
  });
  const x = await startXDouble();
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  const key = randomBytes(32).toString('hex');
  const redis = createRedis(redisServer.url);
  const stores = createStores(redis, { prefix, encryptionKey: key });
  try {
    for (let i = 0; i < MEMBERS; i++) double.state.addMember(GUILD, { id: memberId(i), username: `member${i}` });
    const seedStart = performance.now();
    await seedRedis(stores, x);
    emit({ bench: 'bot.seed', members: MEMBERS, linked: Math.ceil(MEMBERS / 10), seconds: Math.round((performance.now() - seedStart) / 100) / 10 });
    const rest = new REST({ api: double.url }).setToken(double.botToken);
    await rest.put(Routes.applicationGuildCommands(double.applicationId, GUILD), { body: [...COMMANDS.values()].map((c) => c.data) });
    const author = x.state.addUser({ username: 'bench_author' });
    const channel = double.channelId('engagement-tracker');

    // Leaderboard messages to page through (one per 50 members that press buttons).
    const pageMessages: Array<{ owner: string; message: string; customId: string }> = [];
    const mix: Load = async (d, n) => {
      const who = memberId((n * 7) % MEMBERS);
      const slot = n % 10;
      if (slot < 4) return d.interact({ as: who, command: 'stats' });
      if (slot < 7) {
        const r = await d.interact({ as: who, command: 'leaderboard', options: { board: n % 2 ? 'alltime' : 'weekly' } });
        if (pageMessages.length < 200 && r.type === 4) {
          const msg = await r.reply();
          const next = (msg.components[0]?.components as Array<{ custom_id: string }> | undefined)?.[1]?.custom_id;
          if (next) pageMessages.push({ owner: who, message: msg.id, customId: next });
        }
        return r;
      }
      if (slot < 9 && pageMessages.length) {
        const pm = pageMessages[n % pageMessages.length]!;
        return d.interact({ as: n % 3 ? pm.owner : who, button: pm.customId, message: pm.message });
      }
      if (slot < 9) return d.interact({ as: who, command: 'stats' });
      const linked = memberId(((n * 10) % MEMBERS) - (((n * 10) % MEMBERS) % 10));
      const t = x.state.addTweet({ authorId: author.id, createdAt: Date.now() - 60_000 });
      return d.interact({ as: linked, command: 'submit', channel, options: { url: `https://x.com/bench_author/status/${t.id}` } });
    };

    // Baseline: bare discord.js, fixed immediate reply.
    const baseline = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: double.url } });
    baseline.on(Events.InteractionCreate, (i) => {
      if (i.isChatInputCommand() || i.isButton()) void i.reply({ content: 'ok', flags: MessageFlags.Ephemeral }).catch(() => undefined);
    });
    await baseline.login(double.botToken);
    await new Promise<void>((r) => (baseline.isReady() ? r() : baseline.once(Events.ClientReady, () => r())));
    const base = report('baseline', await drive(double, mix));
    report('baseline', await drive(double, mix, BURST_RATE, BURST_SECONDS), 'bot.interactions.burst');
    await baseline.destroy();
    double.gateway.dropConnections(1000);
    pageMessages.length = 0;

    // The real bot process.
    const bot = await startBotProcess({
      LOG_LEVEL: 'warn',
      SANDBOX: 'true',
      REDIS_URL: redisServer.url,
      REDIS_KEY_PREFIX: prefix,
      TOKEN_ENCRYPTION_KEY: key,
      DISCORD_BOT_TOKEN: double.botToken,
      DISCORD_APPLICATION_ID: double.applicationId,
      DISCORD_GUILD_ID: GUILD,
      DISCORD_API_BASE_URL: double.url,
      TWITTER_API_BASE_URL: x.url,
      TWITTER_BEARER_TOKEN: 'bench-app-token',
      SUBMIT_RATE_LIMIT_PER_DAY: '1000',
      PUBLIC_BASE_URL: 'http://127.0.0.1:8080',
      HEALTH_PORT: String(await freePort()),
    });
    try {
      await double.waitForBot();
      const prod = report('bot', await drive(double, mix));
      report('bot', await drive(double, mix, BURST_RATE, BURST_SECONDS), 'bot.interactions.burst');
      // What the bot answered, from its own Prometheus counters: the figures only count if the work succeeded.
      // (Counters are bumped after any post-reply work, so wait until every interaction is counted.)
      const expected = RATE * SECONDS + BURST_RATE * BURST_SECONDS;
      let outcomes: Record<string, number> = {};
      for (let tries = 0; tries < 50; tries++) {
        const metrics = await (await fetch(`${bot.healthUrl}/metrics`)).text();
        outcomes = {};
        for (const m of metrics.matchAll(/^engagement_tracker_bot_interactions_total\{([^}]*)\} (\d+)/gm)) {
          const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
          const k = `${labels.kind}:${labels.name}:${labels.outcome}`;
          outcomes[k] = (outcomes[k] ?? 0) + Number(m[2]);
        }
        if (Object.values(outcomes).reduce((a, b) => a + b, 0) >= expected) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      emit({ bench: 'bot.outcomes', ...outcomes });
      const bad = Object.entries(outcomes).filter(([k]) => !k.endsWith(':ok')).reduce((a, [, v]) => a + v, 0);
      if (bad) throw new Error(`the bot refused or failed ${bad} interactions during the benchmark`);
      emit({ bench: 'bot.vs_baseline', p50OverheadMs: prod.p50Ms! - base.p50Ms!, p99OverheadMs: prod.p99Ms! - base.p99Ms!, targetP99Ms: 100, p99UnderTarget: prod.p99Ms! < 100 });
    } finally {
      await bot.stop();
    }
  } finally {
    redis.disconnect();
    await x.close();
    await double.close();
    await redisServer.stop();
  }
}

await main();
