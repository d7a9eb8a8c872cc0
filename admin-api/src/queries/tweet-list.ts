import type { PageResult, Stores, TrackedTweet, TweetFilter, TweetSort } from '@engagement-tracker/core';

/** What filtering and sorting needs of a tweet: a few fields, not the whole record. */
interface Row {
  tweetId: string;
  category: string;
  status: string;
  submitterId: string;
  authorHandle: string;
  url: string;
  text: string;
  submittedAt: number;
  createdAt: number;
  pointsAwarded: number;
  engagementCount: number;
}

const FIELDS = ['tweetId', 'category', 'status', 'submitterId', 'authorHandle', 'text', 'submittedAt', 'createdAt', 'pointsAwarded', 'engagementCount', 'url'] as const;

/**
 * An in-process projection of every tracked tweet's filter and sort fields, so filtered or
 * re-sorted lists cost one in-memory pass plus loading the requested page, not a read of every
 * tweet per request. Stale-while-revalidate: older than `maxAgeMs`, it is served while a reload
 * runs in the background; `patch()` applies this process's own changes at once (and schedules a
 * refresh), `invalidate()` makes the next read wait for fresh data. Page records themselves are always read fresh from Redis.
 */
export class TweetProjection {
  private rows: Row[] | null = null;
  private loadedAt = 0;
  private loading: Promise<Row[]> | null = null;

  constructor(
    private readonly stores: Stores,
    private readonly maxAgeMs = 5000,
  ) {}

  invalidate(): void {
    this.rows = null;
  }

  /** Apply a change this process just made, and refresh in the background on the next read. */
  patch(tweetId: string, change: Partial<Pick<Row, 'status' | 'pointsAwarded' | 'category'>>): void {
    const row = this.rows?.find((r) => r.tweetId === tweetId);
    if (row) Object.assign(row, change);
    else this.rows = null;
    this.loadedAt = 0;
  }

  async get(): Promise<Row[]> {
    if (!this.rows) return this.load();
    if (Date.now() - this.loadedAt > this.maxAgeMs) void this.load().catch(() => undefined);
    return this.rows;
  }

  private load(): Promise<Row[]> {
    this.loading ??= (async () => {
      try {
        const startedAt = Date.now();
        const { redis } = this.stores.ctx;
        const ids = await redis.zrevrange(this.stores.keys.tweetsRecent(), 0, -1);
        const rows: Row[] = [];
        for (let i = 0; i < ids.length; i += 2000) {
          const p = redis.pipeline();
          for (const id of ids.slice(i, i + 2000)) p.hmget(this.stores.keys.tweet(id), ...FIELDS);
          for (const [, v] of (await p.exec()) ?? []) {
            const r = v as Array<string | null>;
            if (!r[0]) continue;
            rows.push({
              tweetId: r[0], category: r[1] ?? '', status: r[2] ?? 'active', submitterId: r[3] ?? '', authorHandle: r[4] ?? '', text: r[5] ?? '', url: r[10] ?? '',
              submittedAt: Number(r[6] ?? 0), createdAt: Number(r[7] ?? 0), pointsAwarded: Number(r[8] ?? 0), engagementCount: Number(r[9] ?? 0),
            });
          }
        }
        this.rows = rows;
        this.loadedAt = startedAt;
        return rows;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}

/**
 * Tweet lists. Newest-first without filters is served from the store's index (reads only the page);
 * a list of ids (getMany) reads those tweets; anything else filters and sorts the projection.
 */
export async function listTweets(
  stores: Stores,
  projection: TweetProjection,
  page: { offset: number; limit: number; sort: TweetSort; order: 'ASC' | 'DESC'; filter: TweetFilter },
): Promise<PageResult<TrackedTweet>> {
  const f = page.filter;
  const plain = !f.category && !f.status && !f.submitterId && !f.ids && !f.q;
  if ((plain && page.sort === 'submittedAt') || f.ids) return stores.tweets.list(page);
  const q = f.q?.toLowerCase();
  const kept = (await projection.get()).filter(
    (r) =>
      (!f.category || r.category === f.category) &&
      (!f.status || r.status === f.status) &&
      (!f.submitterId || r.submitterId === f.submitterId) &&
      (f.since === undefined || r.submittedAt >= f.since) &&
      (f.until === undefined || r.submittedAt <= f.until) &&
      (!q || r.authorHandle.toLowerCase().includes(q) || r.text.toLowerCase().includes(q) || r.url.toLowerCase().includes(q) || r.tweetId === q),
  );
  const dir = page.order === 'DESC' ? -1 : 1;
  const key = page.sort;
  kept.sort((a, b) => {
    const x = a[key];
    const y = b[key];
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c !== 0 ? c * dir : a.tweetId < b.tweetId ? -dir : dir;
  });
  const pageIds = kept.slice(page.offset, page.offset + page.limit).map((r) => r.tweetId);
  const items = (await stores.tweets.getMany(pageIds)).filter((t): t is TrackedTweet => t !== null);
  return { items, total: kept.length };
}

/** Active tweets, from the projection. */
export async function countActive(projection: TweetProjection): Promise<number> {
  return (await projection.get()).filter((r) => r.status === 'active').length;
}
