import { createRedis, createStores, SANDBOX_ENCRYPTION_KEY, type RedisClient, type Stores } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { buildScenario, ENDPOINT_LIMITS, memberDiscordId, seedStores, startXDouble, type LimitOverrides, type Scenario, type XDouble } from '../../src/x';

/** The X app token the batch program uses against the X double. */
export const X_BEARER = 'sandbox-bearer-token';

/**
 * What every fault case shares: one real redis-server (AOF, fsync always) that cases kill and
 * restart, and one X double holding a seeded community whose engagement is all in place (the
 * scenario's truth). Each case works under its own key prefix, so cases are independent and
 * several can run at once.
 */
export interface World {
  redis: TestRedisServer;
  /** The suite's own connection (reconnects after Redis restarts). */
  client: RedisClient;
  sc: Scenario;
  x: XDouble;
  /** Member engagements that deserve points: `tweetId|xUserId|kind`. */
  truth: Set<string>;
  /** Discord id of a scenario member -> their X user id. */
  xUserOf: Map<string, string>;
  /** Environment of every product process (the case adds its key prefix). */
  env: NodeJS.ProcessEnv;
  stores(prefix: string): Stores;
  close(): Promise<void>;
}

export async function startWorld(opts: { members?: number; tweets?: number; seed?: number } = {}): Promise<World> {
  const redis = await startRedisServer({ aof: true, fsync: 'always' });
  // Real time: the product's processes run on the wall clock.
  const sc = buildScenario({ seed: opts.seed ?? 23, members: opts.members ?? 14, tweets: opts.tweets ?? 5, hours: 6, end: Date.now() - 60_000, quietAfterEnd: true });
  sc.advanceTo(Date.now());
  if (sc.truth().size < 20) throw new Error(`the fault scenario has too little to award (${sc.truth().size}); pick another seed`);
  // Many cases read the same accounts within one 15-minute window: lift X's limits (429s are injected).
  const limits = Object.fromEntries(Object.keys(ENDPOINT_LIMITS).map((k) => [k, { app: 1_000_000, user: 1_000_000 }])) as LimitOverrides;
  const x = await startXDouble({ state: sc.state, limits });
  const client = createRedis(redis.url);
  client.on('error', () => undefined);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    REDIS_URL: redis.url,
    SANDBOX: 'true',
    LOG_LEVEL: 'warn',
    OTEL_SDK_DISABLED: 'true',
    TWITTER_API_BASE_URL: x.url,
    TWITTER_BEARER_TOKEN: X_BEARER,
    TWITTER_CLIENT_ID: 'sandbox-client',
    TWITTER_TIMEOUT_MS: '3000',
    BATCH_WINDOW: '24h',
    // Beats every 2 s: a silent run is dead after 8 s, its lock would expire after 24 s.
    BATCH_HEARTBEAT_SECONDS: '2',
    BATCH_MAX_WALL_SECONDS: '120',
  };
  return {
    redis,
    client,
    sc,
    x,
    truth: sc.truth(),
    xUserOf: new Map(sc.members.map((m, i) => [memberDiscordId(i), m.id])),
    env,
    stores: (prefix) => createStores(client, { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY }),
    async close() {
      client.disconnect();
      await x.close();
      await redis.up();
      await redis.stop();
    },
  };
}

/** Link every scenario member and submit every tracked post under `prefix` (as /connect and /submit would). */
export async function seedCase(world: World, stores: Stores): Promise<void> {
  await seedStores(stores, world.sc, Date.now());
}
