import { Cluster } from 'ioredis';
import type { RedisClient } from './connection';

/**
 * SCAN for a pattern on one server, or on every master of a cluster (SCAN and KEYS only see the
 * node they are sent to). Calls `onBatch` with each batch; a key may come twice (SCAN's guarantee).
 */
export async function scanEach(redis: RedisClient, pattern: string, onBatch: (keys: string[]) => Promise<void> | void, count = 1000): Promise<void> {
  if (redis instanceof Cluster && redis.status !== 'ready') {
    // The node list is known once the client has read the cluster's slots.
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', resolve);
      redis.once('end', () => reject(new Error('Redis Cluster connection ended before it was ready')));
    });
  }
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (batch.length) await onBatch(batch);
    } while (cursor !== '0');
  }
}
