import type { RedisClient } from '../redis/connection';
import { scanEach } from '../redis/scan';
import { startRedisCluster } from './redis-cluster';
import { startRedisServer } from './redis-server';

export type TestRedisMode = 'single' | 'cluster';

/**
 * Which Redis the integration suites run against: `TEST_REDIS=cluster` (set by the `*-cluster`
 * vitest projects, which `npm run test:cluster` runs alone) gives a real 3-master Redis Cluster,
 * anything else one redis-server.
 */
export function testRedisMode(): TestRedisMode {
  return process.env.TEST_REDIS === 'cluster' ? 'cluster' : 'single';
}

/** One redis-server or a Redis Cluster, started for a test file; the suites use either alike. */
export interface TestRedis {
  readonly mode: TestRedisMode;
  /** redis:// or redis+cluster:// (what REDIS_URL would be). */
  readonly url: string;
  client(): RedisClient;
  /** Kill -9 the server (every node of a cluster) and start it again from its data (AOF replay). */
  restart(opts?: { hard?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestRedis(mode: TestRedisMode = testRedisMode()): Promise<TestRedis> {
  const s = mode === 'cluster' ? await startRedisCluster() : await startRedisServer();
  return { mode, url: s.url, client: () => s.client(), restart: (o) => s.restart(o), stop: () => s.stop() };
}

/** Every key matching a pattern, on one server or on every master of a cluster (SCAN per node). */
export async function scanKeys(redis: RedisClient, pattern: string): Promise<string[]> {
  const out = new Set<string>();
  await scanEach(redis, pattern, (batch) => {
    for (const k of batch) out.add(k);
  });
  return [...out].sort();
}
