import { Events, type Client } from 'discord.js';
import type { BotContext } from '../context';

/** Log the gateway lifecycle; discord.js reconnects and resumes by itself, we count it. */
export function registerLifecycleListeners(client: Client, ctx: BotContext): void {
  const log = ctx.logger;
  client.once(Events.ClientReady, (c) => log.info({ user: c.user.tag, guilds: c.guilds.cache.size }, 'connected to Discord'));
  client.on(Events.ShardDisconnect, (event, shardId) => log.warn({ shardId, code: event.code }, 'gateway disconnected'));
  client.on(Events.ShardReconnecting, (shardId) => {
    ctx.metrics.gatewayReconnects.inc();
    log.warn({ shardId }, 'gateway reconnecting');
  });
  client.on(Events.ShardResume, (shardId, replayed) => log.info({ shardId, replayed }, 'gateway resumed'));
  client.on(Events.ShardError, (err, shardId) => log.error({ err, shardId }, 'gateway error'));
  client.on(Events.Error, (err) => log.error({ err }, 'client error'));
  client.on(Events.Warn, (msg) => log.warn({ msg }, 'client warning'));
  client.rest.on('rateLimited', (info) => log.warn({ route: info.route, retryAfter: info.retryAfter, global: info.global }, 'Discord rate limit'));
}
