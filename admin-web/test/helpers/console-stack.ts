import { randomBytes } from 'node:crypto';
import { createRedis, createStores, SANDBOX_ENCRYPTION_KEY, type RedisClient, type Stores } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { startAdminApi, type ApiProcess } from './api';
import { ensureBuilt } from './build';

export interface ConsoleStack {
  server: TestRedisServer;
  redis: RedisClient;
  /** The stores on the key prefix the admin API uses. */
  stores: Stores;
  prefix: string;
  api: ApiProcess;
}

/**
 * For one test file: the built console, a real redis-server and the admin API serving the console over it
 * (sandbox sign-in), started in beforeAll and stopped in afterAll. Its fields are set from beforeAll on: use them inside tests.
 */
export function consoleStack(tag: string): ConsoleStack {
  const stack: Partial<ConsoleStack> = {};
  beforeAll(async () => {
    const [, server] = await Promise.all([ensureBuilt(), startRedisServer()]);
    const redis = createRedis(server.url);
    const prefix = `${tag}${randomBytes(3).toString('hex')}`;
    const stores = createStores(redis, { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY });
    Object.assign(stack, { server, redis, stores, prefix });
    stack.api = await startAdminApi({ REDIS_URL: server.url, REDIS_KEY_PREFIX: prefix, TOKEN_ENCRYPTION_KEY: SANDBOX_ENCRYPTION_KEY });
  }, 240_000);
  afterAll(async () => {
    await stack.api?.stop();
    stack.redis?.disconnect();
    await stack.server?.stop();
  });
  return stack as ConsoleStack;
}
