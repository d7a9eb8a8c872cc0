import { Redis, type RedisOptions } from 'ioredis';

/** An ioredis client for a redis:// or rediss:// URL that retries connecting with backoff. */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
    ...opts,
  });
}
