import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { DependencyUnavailableError } from '../errors';

/** A connection to one Redis server or to a Redis Cluster; every store works with either. */
export type RedisClient = Redis | Cluster;

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

const CLUSTER_URL = /^(rediss?)\+cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/;

/**
 * The seed nodes and credentials of a `redis+cluster://[user:password@]host:port,host:port` URL
 * (`rediss+cluster://` for TLS), or null for a plain redis:// / rediss:// URL.
 */
export function parseClusterUrl(url: string): { nodes: Array<{ host: string; port: number }>; username?: string; password?: string; tls: boolean } | null {
  const m = CLUSTER_URL.exec(url);
  if (!m) return null;
  const nodes = m[4]!.split(',').map((hp) => {
    const at = hp.lastIndexOf(':');
    const host = (at > 0 ? hp.slice(0, at) : hp).replace(/^\[|\]$/g, '');
    const port = at > 0 ? Number(hp.slice(at + 1)) : 6379;
    if (!host || !Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`Invalid cluster node "${hp}" in REDIS_URL`);
    return { host, port };
  });
  const dec = (s: string | undefined) => (s ? decodeURIComponent(s) : undefined);
  const username = dec(m[2]);
  const password = dec(m[3]);
  return { nodes, tls: m[1] === 'rediss', ...(username ? { username } : {}), ...(password ? { password } : {}) };
}

export function isClusterUrl(url: string): boolean {
  return /^rediss?\+cluster:\/\//.test(url);
}

/**
 * The one place a product connection is made: an ioredis client for a redis:// or rediss:// URL,
 * or ioredis' Cluster client for a redis+cluster:// URL (each node's connection gets the same
 * options), with every wait bounded (REDIS_LIMITS). Commands issued while reconnecting wait in
 * ioredis's offline queue, but no longer than the command timeout, so a brief reconnect is invisible
 * and a long outage fails fast.
 */
export function createRedis(url: string, opts: RedisOptions = {}): RedisClient {
  const base: RedisOptions = {
    connectTimeout: REDIS_LIMITS.connectTimeoutMs,
    commandTimeout: REDIS_LIMITS.commandTimeoutMs,
    socketTimeout: REDIS_LIMITS.socketTimeoutMs,
    maxRetriesPerRequest: REDIS_LIMITS.maxRetriesPerRequest,
    enableOfflineQueue: true,
    retryStrategy: (times) => reconnectDelay(times),
    ...opts,
  };
  if (!isClusterUrl(url)) return new Redis(url, base);
  const c = parseClusterUrl(url);
  if (!c) throw new Error('REDIS_URL must look like redis+cluster://[user:password@]host:port,host:port');
  const redisOptions: RedisOptions = {
    ...base,
    ...(c.username ? { username: c.username } : {}),
    ...(c.password ? { password: c.password } : {}),
    ...(c.tls ? { tls: {} } : {}),
  };
  const clusterOptions: ClusterOptions = {
    redisOptions,
    enableOfflineQueue: true,
    clusterRetryStrategy: (times) => reconnectDelay(times),
    ...(opts.lazyConnect ? { lazyConnect: true } : {}),
  };
  return new Cluster(c.nodes, clusterOptions);
}

/**
 * Readiness: true when the client is connected and Redis answers PING within `timeoutMs`. Answers at
 * once (false) while the client is reconnecting, instead of queueing a PING behind the outage.
 */
export async function redisAnswers(redis: RedisClient, timeoutMs = 1_000): Promise<boolean> {
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
