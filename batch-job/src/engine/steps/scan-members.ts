import { ApiResponseError } from 'twitter-api-v2';
import type { Connection, Engagement, EngagementKind } from '@engagement-tracker/core';
import { pool, recordThrottled, type RunContext } from '../context';
import { MemberThrottled, refusalOf, StopRun, TokenBusy, TokenRevoked } from '../errors';
import { pageSize } from '../planner';
import type { MemberMark } from '../watermarks';
import { refsOf, replyTexts, type PostRow, type ReplyText } from './posts';

interface UserData {
  id: string;
  created_at?: string;
  protected?: boolean;
  public_metrics?: { like_count?: number; tweet_count?: number; followers_count?: number };
}

export interface MemberCounts {
  likeCount: number;
  tweetCount: number;
  /** Protected account: search never shows its posts; its timeline needs its own token. */
  protected?: boolean;
}

/** X's smallest liked_tweets page every source accepts (its OpenAPI says 5, older references 10). */
export const LIKES_MIN_PAGE = 10;
/**
 * A first likes scan (likes made before linking) stops after this many consecutive liked posts
 * created well before the tracking window (FIRST_SCAN_SLACK_MS): people like fresh posts, so the
 * member's likes of tracked posts (created inside the window) are above that point.
 */
export const FIRST_SCAN_OLD_RUN = 20;
export const FIRST_SCAN_SLACK_MS = 12 * 3_600_000;
/**
 * Page size of a first scan of a long history: each liked post it returns is billed, and it cannot know
 * in advance where the stop comes, so small pages keep what is read past the stop small (liked_tweets
 * allows 75 requests per 15 minutes per member, far more than a first scan sends).
 */
export const FIRST_SCAN_PAGE = 20;
const DAY = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * like_count and tweet_count of every linked member, 100 per request. The same response (billed
 * once a UTC day) refreshes what eligibility rules look at: account age, followers, protected.
 */
export async function lookupMembers(ctx: RunContext, conns: Connection[]): Promise<Map<string, MemberCounts>> {
  const out = new Map<string, MemberCounts>();
  const app = ctx.x.app();
  for (let i = 0; i < conns.length; i += 100) {
    const chunk = conns.slice(i, i + 100);
    const res = await ctx.gw.get<UserData>('users_lookup', app, 'app', 'users', { ids: chunk.map((c) => c.xUserId).join(','), 'user.fields': 'public_metrics,created_at,protected' });
    const facts: Array<Promise<void>> = [];
    for (const u of res.data) {
      const c = ctx.byXUserId.get(u.id);
      if (!c) continue;
      out.set(c.discordId, { likeCount: u.public_metrics?.like_count ?? 0, tweetCount: u.public_metrics?.tweet_count ?? 0, ...(u.protected ? { protected: true } : {}) });
      if (!ctx.dryRun) facts.push(ctx.stores.moderation.setXFacts(c.discordId, xFacts(u)));
    }
    await Promise.all(facts);
    for (const e of res.errors ?? []) {
      ctx.stats.inc('membersUnavailable');
      ctx.logger.info({ xUserId: e.resource_id ?? e.value, detail: e.detail }, 'linked X account unavailable (suspended or deleted)');
    }
  }
  return out;
}

function xFacts(u: UserData): { xCreatedAt?: number; followers?: number; protected?: boolean } {
  const created = u.created_at ? Date.parse(u.created_at) : NaN;
  return {
    ...(Number.isFinite(created) ? { xCreatedAt: created } : {}),
    ...(u.public_metrics?.followers_count !== undefined ? { followers: u.public_metrics.followers_count } : {}),
    ...(u.protected !== undefined ? { protected: u.protected } : {}),
  };
}

export interface ScanJob {
  conn: Connection;
  counts: MemberCounts;
  mark?: MemberMark;
  likes: boolean;
  posts: boolean;
}

/**
 * Decide which members need reading: those whose like / post counts moved since their watermark.
 * A likes read costs every post it returns, at least LIKES_MIN_PAGE, and on a fresh UTC day the
 * already-known likes that fill the page are billed again: so a member with fewer new likes than a
 * page, not read yet today, waits (their likes stay unread, nothing is lost) until enough are new,
 * until a read today made their page free, or until a tracked post whose likes moved since their
 * last read is about to leave the window (`ctx.likesDueBefore`). Not since a later lookup that showed
 * the read's count: a like and an unlike before it leave the count unchanged.
 */
export function scanJobs(conns: Connection[], counts: Map<string, MemberCounts>, marks: Map<string, MemberMark>, mode: { likes: boolean; posts: boolean }, ctx?: Pick<RunContext, 'now' | 'likesDueBefore' | 'retryMembers'>): ScanJob[] {
  const jobs: ScanJob[] = [];
  const today = ctx ? DAY(ctx.now()) : '';
  for (const conn of conns) {
    const c = counts.get(conn.discordId);
    if (!c) continue;
    const mark = marks.get(conn.discordId);
    let likes = mode.likes && c.likeCount > 0 && (!mark || mark.likeCount !== c.likeCount);
    if (likes && ctx && mark && mark.likeCount >= 0 && !mark.likeResume) {
      const readAt = mark.likesAt ?? mark.scannedAt;
      const fresh = Math.abs(c.likeCount - mark.likeCount);
      likes = fresh >= LIKES_MIN_PAGE - 2 || DAY(readAt) === today || readAt < ctx.likesDueBefore || ctx.retryMembers.has(conn.discordId);
    }
    const posts = mode.posts && c.tweetCount > 0 && (!mark || mark.tweetCount !== c.tweetCount);
    if (likes || posts) jobs.push({ conn, counts: c, ...(mark ? { mark } : {}), likes, posts });
  }
  return jobs;
}

/**
 * Read each member's new likes and posts, and commit watermark + findings atomically per member.
 * A read cut short (rate limit, budget, time) commits what it found and where to continue. A read
 * X refuses (400/403/404) is recorded against the member; their watermark for it stays, so the
 * next run retries it, and the run goes on (it ends partial).
 */
export async function scanMembers(ctx: RunContext, jobs: ScanJob[]): Promise<void> {
  let done = 0;
  const trackedIds = new Set(ctx.tracked.keys());
  const scope = ctx.pendingScope;
  await pool(jobs, ctx.concurrency, async (job) => {
    const found: Engagement[] = [];
    const prev = job.mark;
    const mark: MemberMark = {
      likeCount: prev?.likeCount ?? -1, tweetCount: prev?.tweetCount ?? -1, likeTop: prev?.likeTop ?? [],
      ...(prev?.sinceId ? { sinceId: prev.sinceId } : {}), scannedAt: ctx.now(), activity: prev?.activity ?? 0,
      ...(prev?.likesAt ? { likesAt: prev.likesAt } : {}), ...(prev?.postsAt ? { postsAt: prev.postsAt } : {}),
      ...(prev?.likeResume ? { likeResume: prev.likeResume } : {}), ...(prev?.postResume ? { postResume: prev.postResume } : {}),
    };
    const likes: LikesRead = { ids: [], top: prev?.likeResume?.top ?? null, token: prev?.likeResume?.token, resumed: !!prev?.likeResume, complete: false };
    const posts: PostsRead = { found: [], replies: [], newest: prev?.postResume?.newest ?? prev?.sinceId, token: prev?.postResume?.token, resumed: !!prev?.postResume, posts: 0, complete: false };
    // Posts are read with the member's token (their own rate-limit bucket) when it works; a
    // protected member's posts can only be read with it.
    let userToken = job.likes || !!job.counts.protected;
    let stop: unknown = null;
    const refused = (endpoint: string, err: unknown) => {
      const r = refusalOf(err);
      if (!r) return false;
      ctx.refused.push({ subject: 'member', id: job.conn.discordId, endpoint, ...r });
      ctx.logger.warn({ discordId: job.conn.discordId, endpoint, status: r.status, reason: r.reason }, 'X refused a read for this member; the next run retries it');
      return true;
    };
    // The member's own rate-limit bucket is used up: skip this part, the others go on (tried again later).
    const throttled = (err: unknown) => {
      if (!(err instanceof MemberThrottled)) return false;
      recordThrottled(ctx, err, 'member', job.conn.discordId, { job });
      return true;
    };
    try {
      if (job.likes) {
        try {
          await readLikes(ctx, job, likes);
          const upTo = likes.resumed && prev?.likeResume ? (prev.likeResume.count ?? prev.likeCount) : null;
          if (upTo !== null && upTo !== job.counts.likeCount) {
            // The resumed read covered the likes that existed when it began: read those made since
            // (down to its top) too, or the post watermarks saved after this run would claim them.
            const newer: LikesRead = { ids: [], top: null, token: undefined, resumed: false, complete: false };
            await readLikes(ctx, { ...job, mark: { ...prev!, likeTop: prev!.likeResume!.top, likeCount: upTo } }, newer);
            likes.ids.push(...newer.ids);
            likes.top = newer.top?.length ? newer.top : likes.top;
            likes.resumed = false;
          }
        } catch (err) {
          if (err instanceof TokenRevoked) {
            // Keep the likes watermark: after /connect again, the next read catches up from it.
            userToken = false;
            if (err instanceof TokenBusy) ctx.skipped++;
          } else if (!refused('liked_tweets', err) && !throttled(err)) {
            throw err;
          }
        }
      }
      if (job.posts) {
        try {
          await readPosts(ctx, job, userToken, posts);
        } catch (err) {
          if (!refused('user_tweets', err) && !throttled(err)) throw err;
        }
      }
    } catch (err) {
      if (!(err instanceof StopRun)) throw err;
      stop = err;
    }
    if (![...ctx.refused, ...ctx.throttled].some((r) => r.subject === 'member' && r.id === job.conn.discordId)) ctx.readOk.add(`member:${job.conn.discordId}`);
    for (const id of likes.ids) found.push({ tweetId: id, discordId: job.conn.discordId, kind: 'like' });
    for (const e of posts.found) found.push({ ...e, discordId: job.conn.discordId });
    // A read resumed from an earlier run's token covers what existed when that read began (its
    // top / newest): its count is what the watermark may claim, so what came since is read next time.
    if (job.likes) {
      const count = likes.resumed && prev?.likeResume ? (prev.likeResume.count ?? prev.likeCount) : job.counts.likeCount;
      if (likes.complete) {
        mark.likeCount = count;
        mark.likesAt = ctx.now();
        if (likes.top?.length) mark.likeTop = likes.top;
        delete mark.likeResume;
      } else if (likes.token && likes.top) {
        mark.likeResume = { token: likes.token, top: likes.top, count };
      }
    }
    if (job.posts) {
      const count = posts.resumed && prev?.postResume ? (prev.postResume.count ?? prev.tweetCount) : job.counts.tweetCount;
      if (posts.complete) {
        mark.tweetCount = count;
        // A resumed read covers what existed when it began (earlier): the older time stays.
        if (!posts.resumed) mark.postsAt = ctx.now();
        if (posts.newest) mark.sinceId = posts.newest;
        delete mark.postResume;
      } else if (posts.token && posts.newest) {
        mark.postResume = { token: posts.token, newest: posts.newest, count };
      }
    }
    const items = likes.ids.length + posts.posts;
    mark.activity = Math.round((mark.activity * 0.7 + items * 0.3) * 100) / 100;
    ctx.stats.inc('membersScanned');
    ctx.stats.inc('memberItemsRead', items);
    if (!ctx.dryRun && (found.length || !stop || mark.likeResume !== prev?.likeResume || mark.postResume !== prev?.postResume)) {
      await ctx.wm.commitMember(job.conn.discordId, mark, found, scope, posts.replies);
    }
    ctx.found.push(...found.filter((e) => trackedIds.has(e.tweetId)));
    ctx.progress('scan', ++done, jobs.length);
    if (stop) throw stop;
  });
}


interface LikesRead {
  ids: string[];
  /** The newest liked ids, saved as likeTop when the read completes. */
  top: string[] | null;
  token: string | undefined;
  /** Continuing an earlier run's read from its saved token. */
  resumed: boolean;
  complete: boolean;
}

/**
 * X refuses (400) a paging token it no longer accepts (a saved position gone stale): once per
 * read, start again from the newest instead of failing every run on it.
 */
function staleToken(ctx: RunContext, err: unknown, st: { token: string | undefined; resumed: boolean }): boolean {
  if (!(err instanceof ApiResponseError) || err.code !== 400 || !st.token || !st.resumed) return false;
  ctx.stats.inc('resumeRestarted');
  st.token = undefined;
  st.resumed = false;
  return true;
}

interface LikedPost {
  id: string;
  created_at?: string;
}

async function readLikes(ctx: RunContext, job: ScanJob, st: LikesRead): Promise<void> {
  const known = new Set(job.mark?.likeTop ?? []);
  const firstScan = !job.mark || job.mark.likeCount < 0;
  const expected = firstScan ? job.counts.likeCount : Math.abs(job.counts.likeCount - job.mark!.likeCount);
  // A first scan is capped (likes from before linking: firstScanMaxPages pages of 100) and stops once it
  // is well past the window; later scans read every new like, which the count increase bounds (a fixed
  // cap marked the rest as seen: missed for good).
  const maxItems = 100 * (firstScan ? ctx.firstScanMaxPages : Math.max(ctx.firstScanMaxPages, 10, Math.ceil(expected / 100) + 2));
  const oldBefore = ctx.windowStart - FIRST_SCAN_SLACK_MS;
  const subject = `user:${job.conn.discordId}`;
  let oldRun = 0;
  let read = 0;
  for (;;) {
    // Pages sized to what is left to read: a first scan takes a short history (up to 100) in one page, a
    // long one in small pages while X's headers show room for them (full pages once they show a small
    // window or the member's nearly used up, and for a read resumed from an earlier run); later scans
    // the rest of the count increase.
    const limit = ctx.gw.windowLimit('liked_tweets', 'user');
    const room = (limit === undefined ? read === 0 : limit >= 25 && ctx.gw.remaining('liked_tweets', subject) >= 5) && !st.resumed;
    const size = !firstScan ? pageSize(expected - read, LIKES_MIN_PAGE)
      : expected <= 100 && !st.token ? Math.max(LIKES_MIN_PAGE, expected)
        : room ? FIRST_SCAN_PAGE : 100;
    const query = { max_results: size, ...(firstScan ? { 'tweet.fields': 'created_at' } : {}), ...(st.token ? { pagination_token: st.token } : {}) };
    let res;
    try {
      res = await ctx.tokens.call(job.conn, (c) => ctx.gw.get<LikedPost>('liked_tweets', c, subject, `users/${job.conn.xUserId}/liked_tweets`, query));
    } catch (err) {
      if (!staleToken(ctx, err, st)) throw err;
      st.top = null;
      continue;
    }
    st.top ??= res.data.slice(0, 5).map((t) => t.id);
    read += res.data.length;
    let reachedKnown = false;
    for (const t of res.data) {
      if (known.has(t.id)) {
        reachedKnown = true;
        break;
      }
      st.ids.push(t.id);
      oldRun = t.created_at && Date.parse(t.created_at) < oldBefore ? oldRun + 1 : 0;
    }
    st.token = res.meta?.next_token;
    if (reachedKnown || !st.token) break;
    if (firstScan && oldRun >= FIRST_SCAN_OLD_RUN) {
      ctx.stats.inc('firstScansStoppedOld');
      break;
    }
    if (read >= maxItems) {
      ctx.stats.inc('likeScansTruncated');
      ctx.logger.warn({ discordId: job.conn.discordId, items: read }, "stopped reading a member's likes at the cap");
      break;
    }
  }
  st.complete = true;
}

interface PostsRead {
  found: Array<{ tweetId: string; kind: EngagementKind }>;
  replies: ReplyText[];
  newest: string | undefined;
  token: string | undefined;
  resumed: boolean;
  posts: number;
  complete: boolean;
}

async function readPosts(ctx: RunContext, job: ScanJob, userToken: boolean, st: PostsRead): Promise<void> {
  const path = `users/${job.conn.xUserId}/tweets`;
  const get = async (query: Record<string, string | number>) => {
    if (userToken) {
      try {
        return await ctx.tokens.call(job.conn, (c) => ctx.gw.get<PostRow>('user_tweets', c, `user:${job.conn.discordId}`, path, query));
      } catch (err) {
        // A protected member's posts need their token; anyone else's are public: go on with the app token.
        if (!(err instanceof TokenRevoked) && !(err instanceof MemberThrottled && !job.counts.protected)) throw err;
        userToken = false;
      }
    }
    return ctx.gw.get<PostRow>('user_tweets', ctx.x.app(), 'app', path, query);
  };
  const expected = job.mark && job.mark.tweetCount >= 0 ? Math.abs(job.counts.tweetCount - job.mark.tweetCount) : 20;
  for (let page = 0; page < 40; page++) {
    let res;
    try {
      res = await get({
        max_results: !st.token ? pageSize(expected, 5) : 100,
        'tweet.fields': 'referenced_tweets,conversation_id',
        ...(job.mark?.sinceId ? { since_id: job.mark.sinceId } : { start_time: new Date(ctx.windowStart).toISOString() }),
        ...(st.token ? { pagination_token: st.token } : {}),
      });
    } catch (err) {
      if (!staleToken(ctx, err, st)) throw err;
      st.newest = job.mark?.sinceId;
      continue;
    }
    for (const p of res.data) {
      st.posts++;
      if (!st.newest || BigInt(p.id) > BigInt(st.newest)) st.newest = p.id;
      const refs = refsOf(p);
      st.found.push(...refs);
      st.replies.push(...replyTexts(p, refs, job.conn.discordId));
    }
    st.token = res.meta?.next_token;
    if (!st.token) break;
  }
  st.complete = true;
}
