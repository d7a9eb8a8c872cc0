import { Cluster } from 'ioredis';
import type { RedisClient } from './connection';
import { Keys } from './keys';
import { scanEach } from './scan';

export interface KeyMigrationSummary {
  ok: boolean;
  dryRun: boolean;
  from: string;
  to: string;
  /** Keys of the old layout found (each counted once). */
  found: number;
  /** Keys moved to the new name (0 in a dry run). */
  moved: number;
  /** Old keys whose new name already holds different data: left in place, listed (first 20). */
  conflicts: number;
  conflictKeys: string[];
  /** Old keys that expired or were deleted while the migration ran. */
  vanished: number;
  /** Found keys per family (`member`, `log`, `xwm`, ...). */
  families: Record<string, number>;
}

/**
 * Move the keys of a deployment from the layout before the hash tag (`engagement:member:1`) to the
 * current one (`{engagement}:member:1`), keeping values and expiries. Idempotent: keys already moved
 * are not found again, and an old key whose new copy is identical (a run interrupted between copy
 * and delete) is simply removed. A new key holding other data is never overwritten: it is reported
 * as a conflict. Every master of a cluster is scanned; on one server a key is moved with RENAMENX,
 * on a cluster (old and new names in different slots) with DUMP, PTTL, RESTORE and DEL.
 */
export async function migrateKeys(redis: RedisClient, prefix: string, opts: { dryRun: boolean; count?: number }): Promise<KeyMigrationSummary> {
  const from = new Keys(prefix, { hashTag: false }).tag;
  const to = new Keys(prefix).tag;
  const summary: KeyMigrationSummary = { ok: true, dryRun: opts.dryRun, from: `${from}:*`, to: `${to}:*`, found: 0, moved: 0, conflicts: 0, conflictKeys: [], vanished: 0, families: {} };
  const cluster = redis instanceof Cluster;
  const seen = new Set<string>();
  await scanEach(
    redis,
    `${from}:*`,
    async (batch) => {
      const fresh = batch.filter((k) => !seen.has(k));
      for (const k of fresh) {
        seen.add(k);
        const family = k.slice(from.length + 1).split(':')[0] ?? '';
        summary.families[family] = (summary.families[family] ?? 0) + 1;
      }
      summary.found += fresh.length;
      if (!opts.dryRun && fresh.length) {
        const results = await (cluster ? Promise.all(fresh.map((k) => copyAcrossSlots(redis, k, to + k.slice(from.length)))) : renameAll(redis, fresh, from, to));
        for (let i = 0; i < fresh.length; i++) {
          if (results[i] === 'moved') summary.moved += 1;
          else if (results[i] === 'vanished') summary.vanished += 1;
          else await settleConflict(redis, summary, fresh[i]!, to + fresh[i]!.slice(from.length));
        }
      }
    },
    opts.count,
  );
  summary.ok = summary.conflicts === 0;
  return summary;
}

type Outcome = 'moved' | 'conflict' | 'vanished';

/** One server: RENAMENX keeps the value and the expiry, atomically, and never overwrites. */
async function renameAll(redis: RedisClient, keys: string[], from: string, to: string): Promise<Outcome[]> {
  const p = redis.pipeline();
  for (const k of keys) p.renamenx(k, to + k.slice(from.length));
  return ((await p.exec()) ?? []).map(([err, v]) => (err ? 'vanished' : v === 1 ? 'moved' : 'conflict'));
}

/** A cluster: the two names live in different slots, so the value is copied with its expiry, then the old key removed. */
async function copyAcrossSlots(redis: RedisClient, oldKey: string, newKey: string): Promise<Outcome> {
  const [dump, pttl] = await Promise.all([redis.dumpBuffer(oldKey), redis.pttl(oldKey)]);
  if (!dump || pttl === -2) return 'vanished';
  try {
    await redis.restore(newKey, pttl > 0 ? pttl : 0, dump);
  } catch (err) {
    if (/BUSYKEY/.test((err as Error).message)) return 'conflict';
    throw err;
  }
  await redis.del(oldKey);
  return 'moved';
}

/** The new name exists: if it holds the same value (an earlier, interrupted run), drop the old key; otherwise report it. */
async function settleConflict(redis: RedisClient, s: KeyMigrationSummary, oldKey: string, newKey: string): Promise<void> {
  const [a, b] = await Promise.all([redis.dumpBuffer(oldKey), redis.dumpBuffer(newKey)]);
  if (a && b && a.equals(b)) {
    await redis.del(oldKey);
    s.moved += 1;
    return;
  }
  s.conflicts += 1;
  if (s.conflictKeys.length < 20) s.conflictKeys.push(oldKey);
}
