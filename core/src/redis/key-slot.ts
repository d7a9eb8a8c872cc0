import { createRequire } from 'node:module';

// cluster-key-slot (the slot function ioredis' Cluster client routes with) ships no types.
const require = createRequire(import.meta.url);
const lib = require('cluster-key-slot') as (key: string) => number;

/** The Redis Cluster hash slot (0-16383) of a key, honouring a `{hash tag}`. */
export function keySlot(key: string): number {
  return lib(key);
}
