import { utcDay } from '../../domain';
import type { RedisClient } from '../connection';
import type { StoreContext } from './context';
import { AWARD_RUNS_READ_MS } from './points-watch';

const DAY = 86_400_000;
/** Run records removed per round trip. */
const CHUNK = 500;

/** How long the keys that would otherwise grow for ever are kept (configuration: `keyRetentionOf`). */
export interface KeyRetention {
  /** Batch run records (and their award-log index) started longer ago than this many days are removed. */
  runDays: number;
  /** At most this many run records are kept (the newest; those of the last two days stay in any case). */
  runs: number;
  /** Days kept in the per-day statistics hashes (`stats:points:daily`, `stats:xcost:daily`). */
  statsDays: number;
  /** Change numbers kept in `tweets:changed` (a tweet index further behind reloads everything). */
  changes: number;
}

export const DEFAULT_KEY_RETENTION: KeyRetention = { runDays: 90, runs: 10_000, statsDays: 400, changes: 10_000 };

export interface HousekeepingSummary {
  dryRun: boolean;
  runsRemoved: number;
  statsDaysRemoved: number;
  changesTrimmed: number;
}

/** Fields of a hash read per HSCAN round trip by trimHashByAge. */
const TRIM_SCAN_COUNT = 1000;

/**
 * Drop the fields of a hash whose age (`ageOf` its value, ms; NaN for a value it cannot read) is below
 * `cutoff`, reading the hash in HSCAN batches (each batch's old fields dropped before the next is read,
 * so memory stays bounded whatever the hash's size). With `once`, a hash trimmed less than
 * `once.everyMs` before `once.now` (the caller's clock, recorded in `once.markKey`) is left alone:
 * writers that trim after every write read the whole hash once a period instead of every time. For
 * hashes written by one process at a time (the batch engine under its lock). Returns the fields
 * dropped (or that would be, with `dryRun`).
 */
export async function trimHashByAge(
  redis: RedisClient, key: string, cutoff: number, ageOf: (value: string) => number,
  opts: { dryRun?: boolean; once?: { markKey: string; everyMs: number; now: number } } = {},
): Promise<number> {
  const once = opts.dryRun ? undefined : opts.once;
  if (once) {
    const last = Number(await redis.get(once.markKey));
    if (last <= once.now && once.now - last < once.everyMs) return 0;
  }
  const seen = new Set<string>();
  let removed = 0;
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', TRIM_SCAN_COUNT);
    cursor = next;
    const old: string[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      // HSCAN may return a field twice: count it once.
      if (!(ageOf(flat[i + 1]!) >= cutoff) && !seen.has(flat[i]!)) old.push(flat[i]!);
    }
    if (opts.dryRun) old.forEach((f) => seen.add(f));
    else if (old.length) removed += await redis.hdel(key, ...old);
  } while (cursor !== '0');
  if (once) await redis.set(once.markKey, String(once.now), 'PX', Math.max(1, once.everyMs));
  return opts.dryRun ? seen.size : removed;
}

/**
 * Bounds the keys that no write bounds by itself: run records beyond `runDays` or `runs` (never a
 * running one, nor one started in the last two days: the anomaly check reads their award logs), the
 * days of the per-day statistics hashes beyond `statsDays`, and `tweets:changed` beyond `changes`
 * change numbers. Run at the end of every batch run and by `migrate:keys`; idempotent.
 * What it removes is nothing a reader still asks for: the console lists and pages the runs kept, the
 * overview and the anomaly check read at most 30 days of statistics.
 */
export class Housekeeping {
  constructor(private readonly ctx: StoreContext, readonly retention: KeyRetention = DEFAULT_KEY_RETENTION) {}

  async run(opts: { dryRun?: boolean } = {}): Promise<HousekeepingSummary> {
    const dryRun = opts.dryRun ?? false;
    return {
      dryRun,
      runsRemoved: await this.pruneRuns(dryRun),
      statsDaysRemoved: await this.trimDailyStats(dryRun),
      changesTrimmed: dryRun ? await this.countOldChanges() : ((await this.ctx.run('trimChanged', [this.ctx.keys.tweetsChanged(), this.ctx.keys.tweetsChangedTrimmed()], [this.retention.changes])) as number),
    };
  }

  private async pruneRuns(dryRun: boolean): Promise<number> {
    const { redis, keys } = this.ctx;
    const now = this.ctx.now();
    // Runs started since `keep` stay whatever the bounds: the anomaly check (PointsWatch) reads their award logs.
    const keep = now - AWARD_RUNS_READ_MS;
    const cutoff = Math.min(now - this.retention.runDays * DAY, keep);
    let removed = 0;
    const spared = new Set<string>();
    for (;;) {
      const over = Math.max(0, (await redis.zcard(keys.batches())) - this.retention.runs);
      const [old, excess] = await Promise.all([
        redis.zrangebyscore(keys.batches(), '-inf', `(${cutoff}`, 'LIMIT', 0, CHUNK + spared.size),
        over ? redis.zrangebyscore(keys.batches(), '-inf', `(${keep}`, 'LIMIT', 0, Math.min(over, CHUNK + spared.size)) : Promise.resolve([]),
      ]);
      const ids = [...new Set([...old, ...excess])].filter((id) => !spared.has(id)).slice(0, CHUNK);
      if (!ids.length) return removed;
      const p = redis.pipeline();
      for (const id of ids) p.hget(keys.batch(id), 'status');
      const statuses = ((await p.exec()) ?? []).map(([, v]) => v as string | null);
      // A run still running (however old) stays: the reaper or its own end finishes it.
      const gone = ids.filter((id, i) => {
        if (statuses[i] !== 'running') return true;
        spared.add(id);
        return false;
      });
      removed += gone.length;
      if (dryRun) {
        for (const id of gone) spared.add(id);
        continue;
      }
      if (!gone.length) continue;
      const m = redis.multi();
      for (const id of gone) m.del(keys.batch(id), keys.batchLogs(id));
      await m.zrem(keys.batches(), ...gone).exec();
    }
  }

  private async trimDailyStats(dryRun: boolean): Promise<number> {
    const from = utcDay(this.ctx.now() - (this.retention.statsDays - 1) * DAY);
    let removed = 0;
    for (const key of [this.ctx.keys.pointsDaily(), this.ctx.keys.xCostDaily()]) {
      const old = (await this.ctx.redis.hkeys(key)).filter((day) => day < from);
      removed += old.length;
      if (old.length && !dryRun) await this.ctx.redis.hdel(key, ...old);
    }
    return removed;
  }

  private async countOldChanges(): Promise<number> {
    const top = await this.ctx.redis.zrevrange(this.ctx.keys.tweetsChanged(), 0, 0, 'WITHSCORES');
    const upTo = Number(top[1] ?? 0) - Math.max(1, this.retention.changes);
    return upTo > 0 ? this.ctx.redis.zcount(this.ctx.keys.tweetsChanged(), '-inf', upTo) : 0;
  }
}
