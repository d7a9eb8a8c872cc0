import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';
import { createLogger, createRedis, createStores, createXClientFactory, type Stores } from '@engagement-tracker/core';
import { freePort, startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { createConnectXRouter, createDiscordDmNotifier } from '@engagement-tracker/admin-api/connect';
import { PERMISSIONS, startDiscordDouble, type DiscordDouble, type DiscordDoubleOptions, type RoleSeed } from '@engagement-tracker/sandbox/discord';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { runScript, startBotProcess, type BotProcess } from './bot-process';

export const IDS = {
  guild: '900000000000000001',
  adminRole: '910000000000000001',
  coreRole: '910000000000000002',
  alice: '920000000000000001', // admin
  bob: '920000000000000002',
  carol: '920000000000000003',
  dave: '920000000000000004', // core role: no submit limit
} as const;

export interface Stack {
  redis: TestRedisServer;
  discord: DiscordDouble;
  x: XDouble;
  stores: Stores;
  bot: BotProcess;
  /** Base URL of the admin API's connect routes (a minimal express app mounting createConnectXRouter). */
  adminUrl: string;
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Everything the bot talks to, on 127.0.0.1: a real redis-server, the Discord double (one guild with
 * an admin role, #general and #engagement-tracker, four members), the X double, and the connect
 * routes of the admin API. Then commands are registered with the real script and the real bot
 * process is started against it all.
 */
export async function startStack(opts: { env?: Record<string, string>; roles?: RoleSeed[]; botRoles?: string[]; discord?: Pick<DiscordDoubleOptions, 'memberRoleRateLimit'> } = {}): Promise<Stack> {
  const redis = await startRedisServer({ aof: false });
  const discord = await startDiscordDouble({
    ...opts.discord,
    guilds: [
      {
        id: IDS.guild,
        name: 'Engagement Test',
        roles: [
          { id: IDS.adminRole, name: 'Admins', permissions: PERMISSIONS.MANAGE_GUILD },
          { id: IDS.coreRole, name: 'Core' },
          ...(opts.roles ?? []),
        ],
        ...(opts.botRoles ? { botRoles: opts.botRoles } : {}),
        channels: [{ name: 'general' }, { name: 'engagement-tracker' }],
        members: [
          { id: IDS.alice, username: 'alice', roles: [IDS.adminRole] },
          { id: IDS.bob, username: 'bob' },
          { id: IDS.carol, username: 'carol' },
          { id: IDS.dave, username: 'dave', roles: [IDS.coreRole] },
        ],
      },
    ],
  });
  const x = await startXDouble();
  const prefix = `bt${randomBytes(4).toString('hex')}`;
  const encryptionKey = randomBytes(32).toString('hex');
  const client = createRedis(redis.url);
  const stores = createStores(client, { prefix, encryptionKey });
  const logger = createLogger('connect-test', 'silent');
  const xFactory = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: 'sandbox-client', clientSecret: 'sandbox-secret' });

  // The admin API's connect routes, mounted as the admin API's app.ts does.
  const app = express();
  const adminPort = await freePort();
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  app.use(
    createConnectXRouter({
      stores,
      x: xFactory,
      publicBaseUrl: adminUrl,
      encryptionKey,
      logger,
      notify: createDiscordDmNotifier({ apiBaseUrl: discord.url, botToken: discord.botToken, logger }),
    }),
  );
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(adminPort, '127.0.0.1', () => resolve(s));
  });

  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    SANDBOX: 'true',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: prefix,
    TOKEN_ENCRYPTION_KEY: encryptionKey,
    ...discord.env(),
    DISCORD_GUILD_ID: IDS.guild,
    ADMIN_ROLE_IDS: IDS.adminRole,
    CORE_ROLE_IDS: IDS.coreRole,
    TWEET_CATEGORIES: 'general,art,news',
    SUBMIT_RATE_LIMIT_PER_DAY: '3',
    TRACKING_WINDOW_HOURS: '24',
    TWITTER_API_BASE_URL: x.url,
    TWITTER_OAUTH_AUTHORIZE_URL: `${x.url}/i/oauth2/authorize`,
    TWITTER_BEARER_TOKEN: 'sandbox-app-token',
    TWITTER_CLIENT_ID: 'sandbox-client',
    PUBLIC_BASE_URL: adminUrl,
    HEALTH_PORT: String(await freePort()),
    ...opts.env,
  };
  let bot: BotProcess | undefined;
  const close = async () => {
    await bot?.stop('SIGKILL').catch(() => undefined);
    await new Promise((r) => server.close(() => r(undefined)));
    client.disconnect();
    await x.close();
    await discord.close();
    await redis.stop();
  };
  try {
    const reg = await runScript('bot/src/deploy-commands.ts', env);
    if (reg.code !== 0) throw new Error(`register-commands failed:\n${reg.output}`);
    bot = await startBotProcess(env);
    await discord.waitForBot();
  } catch (err) {
    // The caller gets no Stack to close: stop redis-server, the doubles and the bot here.
    await close();
    throw err;
  }
  return { redis, discord, x, stores, bot, adminUrl, env, close };
}
