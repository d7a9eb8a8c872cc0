import type { TweetStatus } from '../../domain';
import type { StoreContext } from './context';

/** What filtering and sorting needs of a tweet: a few fields, not the whole record. */
export interface TweetRow {
  tweetId: string;
  category: string;
  status: TweetStatus;
  submitterId: string;
  authorHandle: string;
  url: string;
  text: string;
  submittedAt: number;
  createdAt: number;
  pointsAwarded: number;
  engagementCount: number;
}

const FIELDS = ['tweetId', 'category', 'status', 'submitterId', 'authorHandle', 'url', 'text', 'submittedAt', 'createdAt', 'pointsAwarded', 'engagementCount'] as const;
const READ_CHUNK = 2000;

function toRow(r: Array<string | null>): TweetRow | null {
  if (!r[0]) return null;
  return {
    tweetId: r[0], category: r[1] ?? '', status: (r[2] ?? 'active') as TweetStatus, submitterId: r[3] ?? '', authorHandle: r[4] ?? '', url: r[5] ?? '', text: r[6] ?? '',
    submittedAt: Number(r[7] ?? 0), createdAt: Number(r[8] ?? 0), pointsAwarded: Number(r[9] ?? 0), engagementCount: Number(r[10] ?? 0),
  };
}

/**
 * An in-process copy of every tracked tweet's filter and sort fields, so a filtered or re-sorted list
 * costs one in-memory pass plus the page, not a read of every tweet per request.
 *
 * It is never older than the request that reads it: every script that changes a tweet gives it the
 * next change number in `tweets:changed`, and each read first re-reads the tweets numbered above the
 * last change this copy has applied (usually none: one round trip). The first read loads everything, and
 * so does a read that finds changes it had not applied trimmed away (`tweets:changed:trimmed`).
 * Reads are serialised, so a slower, older re-read never overwrites a newer one.
 */
export class TweetIndex {
  private readonly rows = new Map<string, TweetRow>();
  /** Highest change number applied; -1 before the first load. */
  private applied = -1;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly ctx: StoreContext) {}

  /** Every tracked tweet, as of this call. */
  async all(): Promise<TweetRow[]> {
    await this.refresh();
    return [...this.rows.values()];
  }

  /** Bring the copy up to date with every change committed before this call. */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.pull().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    // A pull already under way may have read the change list before our caller's change: run one more after it.
    this.queued ??= this.running.catch(() => undefined).then(() => {
      this.queued = null;
      return this.refresh();
    });
    return this.queued;
  }

  private async pull(): Promise<void> {
    const { redis, keys } = this.ctx;
    const [top, trimmed] = ((await redis.multi().zrevrange(keys.tweetsChanged(), 0, 0, 'WITHSCORES').get(keys.tweetsChangedTrimmed()).exec()) ?? []).map(([, v]) => v);
    const latest = Number((top as string[] | undefined)?.[1] ?? 0);
    // First load, or the change set was reset, or changes this copy has not applied were trimmed from it.
    if (this.applied < 0 || latest < this.applied || Number(trimmed ?? 0) > this.applied) return this.reload(latest);
    if (latest === this.applied) return;
    // The changes and the trimmed mark in one transaction: a trim between two reads would drop changes unseen.
    const [flat, trimmedNow] = ((await redis.multi().zrangebyscore(keys.tweetsChanged(), `(${this.applied}`, latest, 'WITHSCORES').get(keys.tweetsChangedTrimmed()).exec()) ?? []).map(([, v]) => v);
    if (Number(trimmedNow ?? 0) > this.applied) return this.reload(latest);
    const changes = (flat as string[] | null) ?? [];
    const ids: string[] = [];
    for (let i = 0; i < changes.length; i += 2) ids.push(changes[i]!);
    await this.read(ids);
    this.applied = latest;
  }

  /** Read every tweet, then follow the changes numbered after `latest` (read before this). */
  private async reload(latest: number): Promise<void> {
    const ids = await this.ctx.redis.zrange(this.ctx.keys.tweetsRecent(), 0, '-1');
    this.rows.clear();
    await this.read(ids);
    this.applied = latest;
  }

  private async read(ids: string[]): Promise<void> {
    const { redis, keys } = this.ctx;
    for (let i = 0; i < ids.length; i += READ_CHUNK) {
      const chunk = ids.slice(i, i + READ_CHUNK);
      const p = redis.pipeline();
      for (const id of chunk) p.hmget(keys.tweet(id), ...FIELDS);
      const res = (await p.exec()) ?? [];
      chunk.forEach((id, j) => {
        const row = toRow((res[j]?.[1] ?? []) as Array<string | null>);
        if (row) this.rows.set(id, row);
        else this.rows.delete(id);
      });
    }
  }
}
