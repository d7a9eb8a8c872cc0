import { Client, Events, GatewayIntentBits, Options, type ClientOptions } from 'discord.js';
import { Gauge } from 'prom-client';
import { createMetricsRegistry, createRedis, instrumentRedis, createStores, createXClientFactory, redisAnswers, startHealthServer, type HealthServer, type Logger } from '@engagement-tracker/core';
import { ConnectTicketSigner } from '@engagement-tracker/core';
import type { BotConfig } from './config';
import type { BotContext } from './context';
import { registerInteractionListener } from './listeners/interaction-create';
import { registerLifecycleListeners } from './listeners/lifecycle';
import { RoleSync } from './jobs/role-sync';
import { startSeasonEndLoop } from './jobs/season-end';
import { createBotMetrics } from './metrics';

export interface Bot {
  client: Client;
  ctx: BotContext;
  health: HealthServer;
  /** Alive: the process answers. Ready: gateway session up and Redis reachable. */
  ready(): Promise<boolean>;
  stop(): Promise<void>;
}

/** Discord client options: guild-only intents (slash commands need no privileged intent), bounded caches. */
export function clientOptions(config: BotConfig): ClientOptions {
  return {
    intents: [GatewayIntentBits.Guilds],
    rest: { api: config.discord.apiBaseUrl },
    makeCache: Options.cacheWithLimits({ ...Options.DefaultMakeCacheSettings, MessageManager: 50, GuildMemberManager: { maxSize: 2000, keepOverLimit: (m) => m.id === m.client.user.id } }),
  };
}

/**
 * Wire Redis, stores, X client, Discord client, listeners and the health server, then log in. `now` is the
 * clock of every period, season and role decision (the wall clock; a test may run the bot on its own clock).
 */
export async function startBot(config: BotConfig, logger: Logger, opts: { now?: () => number } = {}): Promise<Bot> {
  const now = opts.now ?? Date.now;
  const redis = createRedis(config.redisUrl);
  const stores = createStores(redis, { prefix: config.redisKeyPrefix, encryptionKey: config.encryptionKey, now });
  const registry = createMetricsRegistry('bot');
  const ctx: BotContext = {
    config,
    stores,
    x: createXClientFactory(config.x),
    tickets: new ConnectTicketSigner(config.encryptionKey),
    logger,
    metrics: createBotMetrics(registry),
    now,
  };
  const client = new Client(clientOptions(config));
  instrumentRedis(registry, redis);
  new Gauge({
    name: 'engagement_tracker_bot_gateway_connected',
    help: 'Whether the bot has a ready Discord gateway session',
    registers: [registry],
    collect() {
      this.set(client.isReady() && client.ws.status === 0 ? 1 : 0);
    },
  });
  registerLifecycleListeners(client, ctx);
  const interactions = registerInteractionListener(client, ctx);

  const ready = async () => {
    if (!client.isReady() || client.ws.status !== 0) return false;
    return redisAnswers(redis);
  };
  const health = await startHealthServer({ port: config.healthPort, ready, ...(config.metricsEnabled ? { registry } : {}) });
  logger.info({ healthPort: health.port, sandbox: config.sandbox, api: config.discord.apiBaseUrl }, 'bot starting');
  const readyEvent = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(config.discord.token);
  await readyEvent;
  const roleSync = new RoleSync(client, ctx, { intervalMs: config.roleSyncIntervalMs, maxChanges: config.roleSyncMaxChanges }).start();
  const stopSeasonLoop = startSeasonEndLoop(client, ctx, config.seasonCheckIntervalMs, (season) => roleSync.trigger(`season ${season.id} ended`));
  return {
    client,
    ctx,
    health,
    ready,
    async stop() {
      stopSeasonLoop();
      // The role change in flight finishes (Discord call and its record) before the client goes.
      await roleSync.stop();
      // Members whose interaction is in progress still get their answer (bounded by the command timeout).
      await interactions.drain(config.commandTimeoutMs + 2_000);
      await client.destroy();
      await health.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
