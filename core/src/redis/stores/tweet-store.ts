import { logSeason, utcDay, type PublicMetrics, type TrackedTweet, type TweetStatus } from '../../domain';
import { ConflictError, NotFoundError } from '../../errors';
import { ScriptErrorCode } from '../error-codes';
import { int, type Page, type PageResult, type StoreContext } from './context';
import { TweetIndex, type TweetRow } from './tweet-index';

/** What a submission records; status, counters and submittedAt are set by the store. */
export type SubmitInput = Pick<TrackedTweet, 'tweetId' | 'url' | 'authorId' | 'authorHandle' | 'submitterId' | 'category' | 'createdAt' | 'text'> & {
  metrics?: PublicMetrics;
};

export interface TweetFilter {
  category?: string;
  status?: TweetStatus;
  submitterId?: string;
  since?: number;
  until?: number;
  ids?: string[];
  q?: string;
}

export type TweetSort = 'submittedAt' | 'createdAt' | 'pointsAwarded' | 'engagementCount' | 'category' | 'status';

const ZERO: PublicMetrics = { likes: 0, retweets: 0, replies: 0, quotes: 0 };

/** Submitted tweets (engagement:tweet:{id}), the duplicate check and the recent-tweets index. */
export class TweetStore {
  /** Filter and sort fields of every tweet, loaded on the first filtered list or count, then kept current. */
  private readonly index: TweetIndex;

  constructor(private readonly ctx: StoreContext) {
    this.index = new TweetIndex(ctx);
  }

  async submit(input: SubmitInput): Promise<{ ok: true; tweet: TrackedTweet } | { ok: false; reason: 'duplicate'; existing: TrackedTweet }> {
    const { keys } = this.ctx;
    const submittedAt = this.ctx.now();
    const m = input.metrics ?? ZERO;
    const fields = [
      'tweetId', input.tweetId, 'url', input.url, 'authorId', input.authorId, 'authorHandle', input.authorHandle,
      'submitterId', input.submitterId, 'category', input.category, 'status', 'active', 'submittedAt', submittedAt,
      'createdAt', input.createdAt, 'text', input.text ?? '', 'likes', m.likes, 'retweets', m.retweets,
      'replies', m.replies, 'quotes', m.quotes, 'pointsAwarded', 0, 'engagementCount', 0,
    ];
    const res = await this.ctx.run('submitTweet', [keys.tweetId(input.tweetId), keys.tweet(input.tweetId), keys.tweetsRecent(), keys.tweetsChanged()], [
      input.submitterId, submittedAt, input.tweetId, ...fields,
    ]);
    const tweet = (await this.get(input.tweetId))!;
    return res === 1 ? { ok: true, tweet } : { ok: false, reason: 'duplicate', existing: tweet };
  }

  async get(tweetId: string): Promise<TrackedTweet | null> {
    return toTweet(await this.ctx.redis.hgetall(this.ctx.keys.tweet(tweetId)));
  }

  async getMany(ids: string[]): Promise<Array<TrackedTweet | null>> {
    if (ids.length === 0) return [];
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.hgetall(this.ctx.keys.tweet(id));
    return ((await p.exec()) ?? []).map(([, h]) => toTweet(h as Record<string, string>));
  }

  /** Active tweets submitted in [sinceMs, untilMs], newest first. */
  async listInWindow(sinceMs: number, untilMs = this.ctx.now()): Promise<TrackedTweet[]> {
    const ids = await this.ctx.redis.zrevrangebyscore(this.ctx.keys.tweetsRecent(), untilMs, sinceMs);
    return (await this.getMany(ids)).filter((t): t is TrackedTweet => t !== null && t.status === 'active');
  }

  async list(page: Page & { sort?: TweetSort; order?: 'ASC' | 'DESC'; filter?: TweetFilter } = {}): Promise<PageResult<TrackedTweet>> {
    const offset = Math.max(0, page.offset ?? 0);
    const limit = Math.min(1000, Math.max(0, page.limit ?? 25));
    const sort = page.sort ?? 'submittedAt';
    const desc = (page.order ?? 'DESC') === 'DESC';
    const f = page.filter ?? {};
    const key = this.ctx.keys.tweetsRecent();
    const plain = !f.category && !f.status && !f.submitterId && !f.ids && !f.q;
    if (plain && sort === 'submittedAt') {
      // Served straight from the sorted index: only the page is read.
      const min = f.since ?? '-inf';
      const max = f.until ?? '+inf';
      const [total, ids] = await Promise.all([
        this.ctx.redis.zcount(key, min, max),
        desc
          ? this.ctx.redis.zrevrangebyscore(key, max, min, 'LIMIT', offset, limit)
          : this.ctx.redis.zrangebyscore(key, min, max, 'LIMIT', offset, limit),
      ]);
      return { total, items: (await this.getMany(ids)).filter((t): t is TrackedTweet => t !== null) };
    }
    const keep = matches(f);
    if (f.ids) {
      // getMany: a handful of known tweets, read directly.
      const found = (await this.getMany(f.ids)).filter((t): t is TrackedTweet => t !== null && keep(t)).sort(byField(sort, desc));
      return { total: found.length, items: found.slice(offset, offset + limit) };
    }
    const kept = (await this.index.all()).filter(keep).sort(byField(sort, desc));
    const items = (await this.getMany(kept.slice(offset, offset + limit).map((r) => r.tweetId))).filter((t): t is TrackedTweet => t !== null);
    return { total: kept.length, items };
  }

  async updateMetrics(tweetId: string, m: PublicMetrics): Promise<void> {
    await this.ctx.redis.hset(this.ctx.keys.tweet(tweetId), 'likes', m.likes, 'retweets', m.retweets, 'replies', m.replies, 'quotes', m.quotes, 'metricsAt', this.ctx.now());
  }

  /**
   * Set a tweet's status. With `expected`, only if the status is still that one (compare-and-set):
   * false when it changed meanwhile, e.g. another admin deleted the tweet.
   */
  async setStatus(tweetId: string, status: TweetStatus, reason?: string, expected?: TweetStatus): Promise<boolean> {
    const res = await this.ctx.run('setTweetStatus', [this.ctx.keys.tweet(tweetId), this.ctx.keys.tweetsChanged()], [expected ?? '', status, reason ?? '', tweetId]);
    if (res === ScriptErrorCode.NotFound) throw new NotFoundError(`No tracked tweet ${tweetId}`);
    return res === 1;
  }

  /** Stop tracking a tweet; with revoke, take back every point it gave. Atomic and audited. */
  async remove(tweetId: string, opts: { revoke: boolean; actor: string }): Promise<{ revokedAwards: number; revokedPoints: number }> {
    const { keys, redis } = this.ctx;
    let res: unknown;
    for (let attempt = 0; ; attempt++) {
      // With revoke, the script needs every award log's key, member and week in KEYS: read them first.
      const logIds = opts.revoke ? await redis.zrange(keys.tweetLogs(tweetId), 0, '-1') : [];
      const perLog: string[] = [];
      if (logIds.length) {
        const p = redis.pipeline();
        for (const id of logIds) p.hmget(keys.log(id), 'discordId', 'week', 'createdAt', 'season', 'seasonId');
        const rows = ((await p.exec()) ?? []).map(([, v]) => v as Array<string | null>);
        logIds.forEach((id, i) => {
          const [discordId, week, createdAt, season, oldSeasonId] = rows[i] ?? [];
          const seasonId = logSeason({ season: season ?? undefined, seasonId: oldSeasonId ?? undefined })?.seasonId;
          const day = utcDay(Number(createdAt ?? 0));
          // The script skips a log whose hash is gone; it still gets keys in its place (and a season
          // key pair it never touches when the award was in no season).
          perLog.push(
            keys.log(id), keys.member(discordId ?? ''), keys.leaderboardWeekly(week ?? ''),
            keys.leaderboardDaily(day), keys.leaderboardMonthly(day.slice(0, 7)),
            keys.season(seasonId ?? '-'), keys.leaderboardSeason(seasonId ?? '-'),
          );
        });
      }
      res = await this.ctx.run(
        'removeTweet',
        [keys.tweet(tweetId), keys.tweetLogs(tweetId), keys.leaderboardAllTime(), keys.pointsDaily(), keys.audit(), keys.tweetsChanged(), ...perLog],
        [tweetId, opts.revoke ? 1 : 0, opts.actor, this.ctx.now(), logIds.length, ...logIds],
      );
      // Stale: an award was written between the read and the script; read again.
      if (res !== ScriptErrorCode.Stale) break;
      if (attempt >= 20) throw new ConflictError(`Tweet ${tweetId} kept getting new awards while being deleted; try again.`);
    }
    if (res === ScriptErrorCode.NotFound) throw new NotFoundError(`No tracked tweet ${tweetId}`);
    const [revokedAwards, revokedPoints] = res as [number, number];
    return { revokedAwards, revokedPoints };
  }

  /** How many tweets are tracked, or have a status: as of this call (see TweetIndex). */
  async count(status?: TweetStatus): Promise<number> {
    if (!status) return this.ctx.redis.zcard(this.ctx.keys.tweetsRecent());
    return (await this.index.all()).filter((r) => r.status === status).length;
  }
}

type Filterable = Pick<TweetRow, 'tweetId' | 'category' | 'status' | 'submitterId' | 'authorHandle' | 'url' | 'submittedAt'> & { text?: string };

function matches(f: TweetFilter): (r: Filterable) => boolean {
  const q = f.q?.toLowerCase();
  return (r) =>
    (!f.category || r.category === f.category) &&
    (!f.status || r.status === f.status) &&
    (!f.submitterId || r.submitterId === f.submitterId) &&
    (f.since === undefined || r.submittedAt >= f.since) &&
    (f.until === undefined || r.submittedAt <= f.until) &&
    (!q || r.authorHandle.toLowerCase().includes(q) || (r.text ?? '').toLowerCase().includes(q) || r.url.toLowerCase().includes(q) || r.tweetId === q);
}

/** Order rows by one field, ties by tweet id in the same direction (a stable order for paging). */
function byField(key: TweetSort, desc: boolean): (a: Pick<TweetRow, TweetSort | 'tweetId'>, b: Pick<TweetRow, TweetSort | 'tweetId'>) => number {
  const dir = desc ? -1 : 1;
  return (a, b) => {
    const x = a[key];
    const y = b[key];
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c !== 0 ? c * dir : a.tweetId < b.tweetId ? -dir : dir;
  };
}

export function toTweet(h: Record<string, string> | null | undefined): TrackedTweet | null {
  if (!h || !h.tweetId) return null;
  return {
    tweetId: h.tweetId,
    url: h.url ?? '',
    authorId: h.authorId ?? '',
    authorHandle: h.authorHandle ?? '',
    submitterId: h.submitterId ?? '',
    category: h.category ?? '',
    status: (h.status as TrackedTweet['status']) ?? 'active',
    submittedAt: int(h.submittedAt),
    createdAt: int(h.createdAt),
    ...(h.text ? { text: h.text } : {}),
    metrics: { likes: int(h.likes), retweets: int(h.retweets), replies: int(h.replies), quotes: int(h.quotes) },
    pointsAwarded: int(h.pointsAwarded),
    engagementCount: int(h.engagementCount),
  };
}
