import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A connection to one Redis server or to a Redis Cluster; every store works with either. */
export type RedisClient = Redis | Cluster;

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
 * or ioredis' Cluster client for a redis+cluster:// URL. Both retry connecting with backoff.
 */
export function createRedis(url: string, opts: RedisOptions = {}): RedisClient {
  const base: RedisOptions = {
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
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
    clusterRetryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
    ...(opts.lazyConnect ? { lazyConnect: true } : {}),
  };
  return new Cluster(c.nodes, clusterOptions);
}
