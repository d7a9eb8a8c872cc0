import { Redis, type RedisOptions } from 'ioredis';
import { DependencyUnavailableError } from '../errors';

/**
 * Bounds on every Redis wait. A process never waits for Redis without a limit: connecting gives up
 * after `connectTimeoutMs` (and reconnects with backoff), a command (a Lua script too) is rejected
 * after `commandTimeoutMs` whether it waits in the offline queue or on the socket, a socket that
 * stops answering is destroyed after `socketTimeoutMs` so the client reconnects instead of writing
 * into a dead connection, and a command is re-sent over at most `maxRetriesPerRequest` reconnects.
 */
export const REDIS_LIMITS = {
  connectTimeoutMs: 5_000,
  commandTimeoutMs: 10_000,
  socketTimeoutMs: 15_000,
  maxRetriesPerRequest: 1,
  /** Reconnect delay: doubling from 100 ms up to this, plus up to 20% jitter. */
  maxReconnectDelayMs: 2_000,
} as const;

/** Delay before reconnect attempt `times` (1, 2, ...): never gives up, so a process comes back with Redis. */
export function reconnectDelay(times: number, maxMs: number = REDIS_LIMITS.maxReconnectDelayMs): number {
  const base = Math.min(100 * 2 ** Math.max(0, times - 1), maxMs);
  return Math.round(base * (1 + Math.random() * 0.2));
}

/** True for the errors a Redis client gives while the server cannot be reached (not for script or data errors). */
export function isRedisUnavailable(err: unknown): boolean {
  if (err instanceof DependencyUnavailableError) return true;
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH'].includes(code)) return true;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return /Command timed out|Connection is closed|Stream isn't writeable|Socket timeout|connect ETIMEDOUT|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN/.test(err.message);
}

/**
 * An ioredis client for a redis:// or rediss:// URL with every wait bounded (REDIS_LIMITS).
 * Commands issued while reconnecting wait in ioredis's offline queue, but no longer than the
 * command timeout, so a brief reconnect is invisible and a long outage fails fast.
 */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, {
    connectTimeout: REDIS_LIMITS.connectTimeoutMs,
    commandTimeout: REDIS_LIMITS.commandTimeoutMs,
    socketTimeout: REDIS_LIMITS.socketTimeoutMs,
    maxRetriesPerRequest: REDIS_LIMITS.maxRetriesPerRequest,
    enableOfflineQueue: true,
    retryStrategy: (times) => reconnectDelay(times),
    ...opts,
  });
}

/**
 * Readiness: true when the client is connected and Redis answers PING within `timeoutMs`. Answers at
 * once (false) while the client is reconnecting, instead of queueing a PING behind the outage.
 */
export async function redisAnswers(redis: Redis, timeoutMs = 1_000): Promise<boolean> {
  if (redis.status === 'wait') redis.connect().catch(() => undefined);
  if (['reconnecting', 'close', 'end'].includes(redis.status)) return false;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([redis.ping().then((p) => p === 'PONG', () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}
