import { trimHashByAge, withLease, type Engagement, type EngagementKind, type PublicMetrics, type RedisClient, type StoreContext } from '@engagement-tracker/core';
import type { MemberSeen } from './due';
import type { Refusal } from './errors';
import type { ReplyText } from './steps/posts';

/** What the last complete run saw of a tracked post. */
export interface TweetMark {
  metrics: PublicMetrics;
  /** Every engagement already indexed for it has been offered to the ledger. */
  seeded: boolean;
  /** When these counts were saved (the run's start): engagement after it is what is new. */
  at?: number;
}

/** Where a member's reading stopped. */
export interface MemberMark {
  /** like_count / tweet_count from the user lookup when the member was last read in full. */
  likeCount: number;
  tweetCount: number;
  /** Newest liked post ids seen at the top of liked_tweets (newest first). */
  likeTop: string[];
  /** Newest own post id seen (since_id for the next read). */
  sinceId?: string;
  scannedAt: number;
  /** When the member's likes were last read in full (missing: scannedAt). */
  likesAt?: number;
  /** Average new items per scan, a hint for page sizes. */
  activity: number;
  /** When the member's posts were last read in full (searched, or their timeline read), epoch ms. */
  postsAt?: number;
  /**
   * A likes read cut short: continue from `token`; `top` becomes likeTop when it completes, and
   * `count` (the like count when the read began) likeCount, so likes made since are read next time.
   */
  likeResume?: { token: string; top: string[]; count?: number };
  /** An own-posts read cut short: continue from `token`; `newest` becomes sinceId and `count` tweetCount when it completes. */
  postResume?: { token: string; newest: string; count?: number };
}

/** An unfinished member sweep (see WatermarkStore.sweep). */
export interface SweepState {
  cursor: string;
  snapshot: Record<string, PublicMetrics>;
  startedAt: number;
  /** What the sweep reads from members: 'likes', 'posts' or 'likes+posts'. */
  modes: string;
}

const INDEX_TTL_S = 8 * 86_400;
/** How often a watermark hash written every run drops its entries older than INDEX_TTL_S. */
const TRIM_EVERY_MS = 3_600_000;
export const POST_KINDS = ['retweet', 'reply', 'quote'] as const;
/** When a recorded refusal happened (NaN for an entry that cannot be read: it goes). */
const refusedAt = (v: string) => {
  try {
    return Number((JSON.parse(v) as { at?: unknown }).at);
  } catch {
    return NaN;
  }
};
/** Characters of a reply kept for the reply rules (X allows 25,000 for long posts). */
const REPLY_TEXT_MAX = 25_000;
const enc = (e: Engagement) => `${e.tweetId}|${e.discordId}|${e.kind}`;
export const decodeEngagement = (s: string): Engagement => {
  const [tweetId, discordId, kind] = s.split('|');
  return { tweetId: tweetId!, discordId: discordId!, kind: kind as EngagementKind };
};

/**
 * The batch processor's own Redis state (the `wm*` keys of core's Keys, `<prefix>:xwm:...`): per-post and per-member watermarks,
 * an index of member engagements by post (so a post submitted later is credited with engagement
 * seen earlier), and the pending set: engagements found but not yet confirmed by the ledger. A
 * member's new watermark and what was found under it are written in one MULTI, so a crash between
 * reading X and awarding loses nothing and (the ledger being idempotent) awards nothing twice.
 */
export class WatermarkStore {
  private readonly redis: RedisClient;

  constructor(private readonly ctx: Pick<StoreContext, 'redis' | 'keys' | 'run'>) {
    this.redis = ctx.redis;
  }

  async tweetMarks(ids: string[]): Promise<Map<string, TweetMark>> {
    const out = new Map<string, TweetMark>();
    if (!ids.length) return out;
    const p = this.redis.pipeline();
    for (const id of ids) p.hgetall(this.ctx.keys.wmTweet(id));
    const res = (await p.exec()) ?? [];
    ids.forEach((id, i) => {
      const h = res[i]?.[1] as Record<string, string> | undefined;
      if (!h || !h.likes) return;
      out.set(id, {
        metrics: { likes: Number(h.likes), retweets: Number(h.retweets), replies: Number(h.replies), quotes: Number(h.quotes) },
        seeded: h.seeded === '1',
        ...(h.at ? { at: Number(h.at) } : {}),
      });
    });
    return out;
  }

  async saveTweetMarks(marks: Map<string, PublicMetrics>, at: number): Promise<void> {
    if (!marks.size) return;
    const p = this.redis.pipeline();
    for (const [id, m] of marks) {
      p.hset(this.ctx.keys.wmTweet(id), 'likes', m.likes, 'retweets', m.retweets, 'replies', m.replies, 'quotes', m.quotes, 'at', at);
      p.expire(this.ctx.keys.wmTweet(id), INDEX_TTL_S);
    }
    await p.exec();
  }

  async markSeeded(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const p = this.redis.pipeline();
    for (const id of ids) p.hset(this.ctx.keys.wmTweet(id), 'seeded', 1).expire(this.ctx.keys.wmTweet(id), INDEX_TTL_S);
    await p.exec();
  }

  async memberMarks(discordIds: string[]): Promise<Map<string, MemberMark>> {
    return (await this.memberState(discordIds)).marks;
  }

  /** Each member's watermark and what their last lookup showed, in one read of their hashes. */
  async memberState(discordIds: string[]): Promise<{ marks: Map<string, MemberMark>; seen: Map<string, MemberSeen> }> {
    const marks = new Map<string, MemberMark>();
    const seen = new Map<string, MemberSeen>();
    for (let i = 0; i < discordIds.length; i += 500) {
      const slice = discordIds.slice(i, i + 500);
      const p = this.redis.pipeline();
      for (const id of slice) p.hgetall(this.ctx.keys.wmMember(id));
      const res = (await p.exec()) ?? [];
      slice.forEach((id, j) => {
        const h = res[j]?.[1] as Record<string, string> | undefined;
        if (!h) return;
        if (h.seenAt) seen.set(id, { at: Number(h.seenAt), likes: Number(h.seenLikes ?? 0), tweets: Number(h.seenTweets ?? 0) });
        if (h.scannedAt === undefined) return;
        marks.set(id, {
          likeCount: Number(h.likeCount ?? -1),
          tweetCount: Number(h.tweetCount ?? -1),
          likeTop: h.likeTop ? h.likeTop.split(',') : [],
          ...(h.sinceId ? { sinceId: h.sinceId } : {}),
          scannedAt: Number(h.scannedAt),
          ...(h.likesAt ? { likesAt: Number(h.likesAt) } : {}),
          activity: Number(h.activity ?? 0),
          ...(h.postsAt ? { postsAt: Number(h.postsAt) } : {}),
          ...(h.likeResume ? { likeResume: JSON.parse(h.likeResume) as MemberMark['likeResume'] } : {}),
          ...(h.postResume ? { postResume: JSON.parse(h.postResume) as MemberMark['postResume'] } : {}),
        });
      });
    }
    return { marks, seen };
  }

  /** Save a member's new watermark with what was found under it, atomically. */
  async commitMember(discordId: string, mark: MemberMark, found: Engagement[], tracked: Set<string>, replies: ReplyText[] = []): Promise<void> {
    const fields: Array<string | number> = ['likeCount', mark.likeCount, 'tweetCount', mark.tweetCount, 'likeTop', mark.likeTop.join(','), 'scannedAt', mark.scannedAt, 'activity', mark.activity];
    if (mark.sinceId) fields.push('sinceId', mark.sinceId);
    if (mark.likesAt) fields.push('likesAt', mark.likesAt);
    if (mark.postsAt) fields.push('postsAt', mark.postsAt);
    fields.push('likeResume', mark.likeResume ? JSON.stringify(mark.likeResume) : '', 'postResume', mark.postResume ? JSON.stringify(mark.postResume) : '');
    await this.commit({ key: this.ctx.keys.wmMember(discordId), fields }, found, tracked, replies);
  }

  /** Save a member's posts watermark (search mode) with what the search found, atomically. */
  async commitMemberPosts(discordId: string, posts: { tweetCount: number; postsAt: number }, found: Engagement[], tracked: Set<string>, replies: ReplyText[] = []): Promise<void> {
    await this.commit({ key: this.ctx.keys.wmMember(discordId), fields: ['tweetCount', posts.tweetCount, 'postsAt', posts.postsAt, 'scannedAt', posts.postsAt] }, found, tracked, replies);
  }

  /** Record engagements found from a post's side (liking_users, retweeted_by, ...). */
  async commitFound(found: Engagement[], tracked: Set<string>, replies: ReplyText[] = []): Promise<void> {
    if (!found.length) return;
    await this.commit(null, found, tracked, replies);
  }

  /**
   * One `commitFound` script call: the watermark (if any), every engagement into its post's index
   * (and the pending set when the post is tracked), each member's first reply text per post.
   */
  private async commit(mark: { key: string; fields: Array<string | number> } | null, found: Engagement[], tracked: Set<string>, replies: ReplyText[]): Promise<void> {
    const keys = [this.ctx.keys.wmPending()];
    const args: Array<string | number> = [INDEX_TTL_S, mark ? mark.fields.length : 0];
    if (mark) {
      keys.push(mark.key);
      args.push(...mark.fields);
    }
    args.push(found.length);
    for (const e of found) {
      keys.push(this.ctx.keys.wmEngaged(e.tweetId));
      args.push(`${e.discordId}|${e.kind}`, tracked.has(e.tweetId) ? enc(e) : '');
    }
    // A member's first reply to a post is the one judged (the earliest id of this read; an earlier read's stays).
    const first = new Map<string, ReplyText>();
    for (const r of replies) {
      const k = `${r.tweetId}|${r.discordId}`;
      const seen = first.get(k);
      if (!seen || BigInt(r.id) < BigInt(seen.id)) first.set(k, r);
    }
    args.push(first.size);
    for (const r of first.values()) {
      keys.push(this.ctx.keys.wmReplies(r.tweetId));
      args.push(r.discordId, JSON.stringify({ id: r.id, text: r.text.slice(0, REPLY_TEXT_MAX) }));
    }
    await this.ctx.run('commitFound', keys, args);
  }

  /** Members' reply texts to these posts: tweetId -> discordId -> { id, text }. */
  async replyTexts(tweetIds: string[]): Promise<Map<string, Map<string, { id: string; text: string }>>> {
    const out = new Map<string, Map<string, { id: string; text: string }>>();
    if (!tweetIds.length) return out;
    const p = this.redis.pipeline();
    for (const id of tweetIds) p.hgetall(this.ctx.keys.wmReplies(id));
    const res = (await p.exec()) ?? [];
    tweetIds.forEach((tweetId, i) => {
      const h = (res[i]?.[1] as Record<string, string> | undefined) ?? {};
      const byMember = new Map<string, { id: string; text: string }>();
      for (const [discordId, v] of Object.entries(h)) byMember.set(discordId, JSON.parse(v) as { id: string; text: string });
      if (byMember.size) out.set(tweetId, byMember);
    });
    return out;
  }

  async pending(): Promise<Engagement[]> {
    return (await this.redis.smembers(this.ctx.keys.wmPending())).map(decodeEngagement);
  }

  /** Keep engagements pending (held until the member qualifies). */
  async addPending(list: Engagement[]): Promise<void> {
    for (let i = 0; i < list.length; i += 1000) await this.redis.sadd(this.ctx.keys.wmPending(), ...list.slice(i, i + 1000).map(enc));
  }

  async clearPending(done: Engagement[]): Promise<void> {
    for (let i = 0; i < done.length; i += 1000) await this.redis.srem(this.ctx.keys.wmPending(), ...done.slice(i, i + 1000).map(enc));
  }

  /** Every member engagement indexed for these posts. */
  async indexed(tweetIds: string[]): Promise<Engagement[]> {
    if (!tweetIds.length) return [];
    const p = this.redis.pipeline();
    for (const id of tweetIds) p.smembers(this.ctx.keys.wmEngaged(id));
    const res = (await p.exec()) ?? [];
    return tweetIds.flatMap((tweetId, i) =>
      ((res[i]?.[1] as string[]) ?? []).map((s) => {
        const [discordId, kind] = s.split('|');
        return { tweetId, discordId: discordId!, kind: kind as EngagementKind };
      }),
    );
  }

  /**
   * A member sweep a partial run left unfinished: members up to `cursor` (Discord id order) are
   * done; `snapshot` holds the post counts read when the sweep began, saved as post watermarks only
   * once the sweep completes (so engagement after a member was read is never marked as seen).
   */
  async sweep(): Promise<SweepState | null> {
    const raw = await this.redis.get(this.ctx.keys.wmSweep());
    return raw ? (JSON.parse(raw) as SweepState) : null;
  }

  async saveSweep(s: SweepState): Promise<void> {
    await this.redis.set(this.ctx.keys.wmSweep(), JSON.stringify(s), 'EX', 2 * 86_400);
  }

  async clearSweep(): Promise<void> {
    await this.redis.del(this.ctx.keys.wmSweep());
  }

  /**
   * When each tracked post's like count was last seen to move (epoch ms of that run): a member whose
   * likes were read before that may have liked it since.
   */
  async likesMovedAt(ids: string[]): Promise<Map<string, number>> {
    return this.timesOf(this.ctx.keys.wmLikeMoved(), ids);
  }

  async setLikesMovedAt(ids: string[], at: number): Promise<void> {
    await this.setTimes(this.ctx.keys.wmLikeMoved(), ids, at);
  }

  /** Fields of a hash of epoch-ms times (absent fields are left out). */
  private async timesOf(key: string, fields: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (!fields.length) return out;
    const res = await this.redis.hmget(key, ...fields);
    fields.forEach((f, i) => {
      if (res[i]) out.set(f, Number(res[i]));
    });
    return out;
  }

  private async setTimes(key: string, fields: string[], at: number): Promise<void> {
    if (!fields.length) return;
    await this.redis.multi().hset(key, ...fields.flatMap((f) => [f, at])).expire(key, INDEX_TTL_S).exec();
    // Posts that left every window: their entries would outlive them (the key's expiry is renewed by each write).
    await trimHashByAge(this.redis, key, at - INDEX_TTL_S * 1000, Number, { once: this.trimOnce(key, at) });
  }

  /** Record reads X refused, against their member or post, with the reason (cleared by a later good read). */
  async recordRefused(list: Refusal[], at: number, runId: string): Promise<void> {
    if (!list.length) return;
    const fields = list.flatMap((r) => [`${r.subject}:${r.id}`, JSON.stringify({ endpoint: r.endpoint, status: r.status, reason: r.reason, at, runId })]);
    await this.redis.multi().hset(this.ctx.keys.wmRefused(), ...fields).expire(this.ctx.keys.wmRefused(), INDEX_TTL_S).exec();
    // A refusal no later read cleared (the member unlinked, the post left tracking) goes after the same 8 days.
    await trimHashByAge(this.redis, this.ctx.keys.wmRefused(), at - INDEX_TTL_S * 1000, refusedAt, { once: this.trimOnce(this.ctx.keys.wmRefused(), at) });
  }

  /** Old entries are dropped at most once an hour per hash (reading it whole costs ~75 ms at 30,000 entries). */
  private trimOnce(key: string, now: number): { markKey: string; everyMs: number; now: number } {
    return { markKey: this.ctx.keys.wmTrimmed(key.slice(key.lastIndexOf(':') + 1)), everyMs: TRIM_EVERY_MS, now };
  }

  async clearRefused(subject: 'member' | 'post', ids: string[]): Promise<void> {
    if (ids.length) await this.redis.hdel(this.ctx.keys.wmRefused(), ...ids.map((id) => `${subject}:${id}`));
  }

  async refusedReads(): Promise<Record<string, { endpoint: string; status: number; reason: string; at: number; runId: string }>> {
    const h = await this.redis.hgetall(this.ctx.keys.wmRefused());
    return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, JSON.parse(v) as { endpoint: string; status: number; reason: string; at: number; runId: string }]));
  }

  /**
   * Count resources as X bills them: once per UTC day. Returns how many of these were not yet
   * billed that day (by any run), so a run's cost estimate matches X's bill.
   */
  async billNew(day: string, kind: 'post' | 'user' | 'like', ids: string[]): Promise<number> {
    if (!ids.length) return 0;
    const key = this.ctx.keys.wmBilled(day, kind);
    const res = await this.redis.multi().sadd(key, ...ids).expire(key, 2 * 86_400).exec();
    return Number(res?.[0]?.[1] ?? 0);
  }

  /** What each member's last lookup showed, and when (X bills a member lookup once per UTC day). */
  async memberSeen(discordIds: string[]): Promise<Map<string, MemberSeen>> {
    return (await this.memberState(discordIds)).seen;
  }

  async setSeen(seen: Map<string, MemberSeen>): Promise<void> {
    if (!seen.size) return;
    const p = this.redis.pipeline();
    for (const [id, s] of seen) {
      p.hset(this.ctx.keys.wmMember(id), 'seenAt', s.at, 'seenLikes', s.likes, 'seenTweets', s.tweets);
    }
    await p.exec();
  }

  /**
   * When each tracked post's reposts / replies / quotes were last seen to move, as `tweetId|kind` (epoch
   * ms of that run): a member whose posts are known only up to before that may have engaged it since.
   */
  async postsMovedAt(ids: string[]): Promise<Map<string, number>> {
    return this.timesOf(this.ctx.keys.wmPostsMoved(), ids.flatMap((id) => POST_KINDS.map((k) => `${id}|${k}`)));
  }

  async setPostsMovedAt(fields: string[], at: number): Promise<void> {
    await this.setTimes(this.ctx.keys.wmPostsMoved(), fields, at);
  }

  /** One member's token refresh at a time, across processes. */
  async withRefreshLock<T>(discordId: string, ttlMs: number, fn: () => Promise<T>): Promise<T | null> {
    const r = await withLease(this.ctx, this.ctx.keys.wmRefresh(discordId), ttlMs, fn);
    return r.ran ? r.value : null;
  }
}
