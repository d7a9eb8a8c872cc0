declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0-16383) of a key, honouring a `{hash tag}`. */
  export default function calculateSlot(key: string | Buffer): number;
  /** The common slot of all keys, or -1 when they differ. */
  export function generateMulti(keys: Array<string | Buffer>): number;
}
