/**
 * References for the batch bench, computed from the scenario's truth at each run's time:
 *
 * - lowerBound: the least billed cost that could witness each new engagement: one billed object
 *   showing it (a like: its like object plus the liked post or the liker; a repost, reply or quote:
 *   the post itself, or the member as a user), an object shared by several counted once a UTC day.
 *   Unreachable when pages also return untracked objects, but it gives the scale.
 * - omniscient: knows which members and posts have something new and reads exactly those, each
 *   with the cheapest endpoint that can show it, paying for every object its pages return
 *   (background included), within page-size ranges and privacy: a member's own liked_tweets (10-100
 *   a page) down to their oldest new tracked like, or the author's liking_users (when the author is
 *   a linked member) down to the member; a search `from:<member> retweets_of_tweet_id:<post>`
 *   (and its reply / quote forms) returning just the engagement post, or a protected member's own
 *   timeline (5-100 a page) down to it. No metrics or member lookups: it already knows.
 *
 * - streams: what a strategy that cannot know who liked a tracked post pays at the least, since
 *   likes are private: every linked member's new likes read once (each distinct liked post and each
 *   like object billed once a UTC day), one lookup of every linked member a day (the cheapest check
 *   of a quiet member), and reposts, replies and quotes at the lower bound (narrow searches).
 *
 * - noOracle: a proven lower bound on what any strategy that cannot know who liked what pays for
 *   recall 1.0 for certain, from what it can observe (see no-oracle.ts for the argument), with or
 *   without the likes X's smallest page returns on a member's first read of a UTC day; computed
 *   once every run is known.
 *
 * All bill with the double's rules (X_PRICES, once per UTC day), in their own ledgers.
 */
import { Billing, cost, type Scenario, type ScenarioEvent } from '@engagement-tracker/sandbox/x';
import { LIKES_PAGE_MIN, noOracleBound, type Found, type NoOracle } from './no-oracle';

export interface ReferenceStep {
  omniscient: number;
  lowerBound: number;
  streams: number;
  engagements: number;
}

interface Priced {
  posts: string[];
  users: string[];
  likes: string[];
}

/** Items a reader gets back to reach depth `k` (1-based) of a newest-first listing of `n`, pages min..100. */
export function itemsToDepth(k: number, n: number, min: number): number {
  if (k <= 0) return 0;
  const full = Math.floor((k - 1) / 100);
  return Math.min(n, full * 100 + Math.max(min, k - full * 100));
}

export class References {
  private readonly omni = new Billing();
  private readonly lb = new Billing();
  private readonly streamsLedger = new Billing();
  private last = -Infinity;
  private readonly seen = new Set<string>();
  private readonly tracked: Map<string, { submittedAt: number; submitter: string; authorId: string }>;
  private readonly memberIndex: Map<string, number>;
  /** The runs stepped so far, and the engagement each made findable (for noOracle). */
  readonly runs: number[] = [];
  private readonly found: Found[] = [];
  /** noOracle by page minimum, for the runs stepped so far. */
  private readonly bounds = new Map<number, NoOracle>();

  constructor(private readonly sc: Scenario) {
    this.tracked = new Map(sc.tracked.map((p) => [p.tweet.id, { submittedAt: p.submittedAt, submitter: sc.members[p.submitter]!.id, authorId: p.tweet.authorId }]));
    this.memberIndex = new Map(sc.members.map((m, i) => [m.id, i]));
  }

  /** Engagement that became findable by `t` (post submitted, member linked) and was not counted yet. */
  private fresh(t: number): ScenarioEvent[] {
    const out: ScenarioEvent[] = [];
    for (const e of this.sc.memberEvents) {
      if (e.at > t) break;
      if (e.kind === 'post') continue;
      const p = this.tracked.get(e.tweetId);
      if (!p || p.submittedAt > t || e.userId === p.submitter || e.userId === p.authorId) continue;
      const linked = this.sc.linkTime(this.memberIndex.get(e.userId)!);
      if (linked > t || linked > p.submittedAt + WINDOW_MS) continue;
      const key = `${e.tweetId}|${e.userId}|${e.kind}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      out.push(e);
    }
    return out;
  }

  private linked(userId: string, t: number): boolean {
    const i = this.memberIndex.get(userId);
    return i !== undefined && this.sc.linkTime(i) <= t;
  }

  /** What reading these resources would newly cost on the ledger's day (without charging). */
  private marginal(b: Billing, t: number, r: Priced): number {
    const n = (kind: 'posts' | 'users' | 'likes', ids: string[]) => new Set(ids.filter((id) => !b.billed(t, kind, id))).size;
    return cost(n('posts', r.posts), n('users', r.users), n('likes', r.likes));
  }

  private charge(b: Billing, t: number, r: Priced): number {
    const c = b.charge(t, r.posts, r.users, r.likes);
    return cost(c.posts, c.users, c.likes);
  }

  /** The engagement post a member made for a repost / reply / quote of a tracked post. */
  private engagementPost(e: ScenarioEvent): string | undefined {
    const s = this.sc.state;
    const list = e.kind === 'retweet' ? s.retweetsOf.get(e.tweetId) : e.kind === 'quote' ? s.quotesOf.get(e.tweetId) : s.conversation.get(e.tweetId);
    return list?.find((id) => {
      const p = s.tweets.get(id)!;
      return p.authorId === e.userId && (e.kind !== 'reply' || p.referenced?.id === e.tweetId);
    });
  }

  /** Run at `t` (the scenario already advanced to it): what each reference pays for what is new. */
  step(t: number): ReferenceStep {
    const s = this.sc.state;
    const events = this.fresh(t);
    const run = this.runs.length;
    this.runs.push(t);
    this.bounds.clear();
    let omniscient = 0;
    let lowerBound = 0;
    let streams = this.streamLikes(t);
    const likesBy = new Map<string, ScenarioEvent[]>();
    for (const e of events) {
      if (e.kind === 'like') {
        likesBy.set(e.userId, [...(likesBy.get(e.userId) ?? []), e]);
        this.found.push({ run, e });
        const viaPost = { posts: [e.tweetId], users: [], likes: [`${e.tweetId}|${e.userId}`] };
        const viaUser = { posts: [], users: [e.userId], likes: [`${e.tweetId}|${e.userId}`] };
        lowerBound += this.charge(this.lb, t, this.marginal(this.lb, t, viaPost) <= this.marginal(this.lb, t, viaUser) ? viaPost : viaUser);
        continue;
      }
      const post = this.engagementPost(e);
      this.found.push({ run, e, ...(post ? { post } : {}) });
      if (!post) continue;
      const viaPost = { posts: [post], users: [], likes: [] };
      streams += this.charge(this.streamsLedger, t, viaPost);
      const viaUser = { posts: [], users: [e.userId], likes: [] };
      lowerBound += this.charge(this.lb, t, e.kind === 'retweet' && this.marginal(this.lb, t, viaUser) < this.marginal(this.lb, t, viaPost) ? viaUser : viaPost);
      const author = s.users.get(e.userId);
      if (!author?.protected) {
        // search `from:<member> retweets_of_tweet_id:<post>` (or in_reply_to / quotes_of): just that post
        omniscient += this.charge(this.omni, t, viaPost);
      } else {
        // search never shows protected authors: their own timeline, newest first, down to it
        const own = (s.timelines.get(e.userId) ?? []).filter((id) => !s.tweets.get(id)!.deleted);
        const depth = own.length - own.indexOf(post);
        const n = itemsToDepth(depth, own.length, 5);
        omniscient += this.charge(this.omni, t, { posts: own.slice(own.length - n), users: [], likes: [] });
      }
    }
    for (const [userId, likes] of likesBy) {
      // The member's own likes, newest first, down to the oldest new tracked like.
      const list = s.likesByUser.get(userId) ?? [];
      const wanted = new Set(likes.map((e) => e.tweetId));
      let depth = 0;
      for (let i = list.length - 1, k = 1; i >= 0; i--, k++) if (wanted.has(list[i]!.id)) depth = k;
      const n = itemsToDepth(depth, list.length, 10);
      const top = list.slice(list.length - n);
      const viaOwn: Priced = { posts: top.map((l) => l.id), users: [], likes: top.map((l) => `${l.id}|${userId}`) };
      // Or each liked post's likers through its author's token (only the author's own posts).
      let viaAuthors: Priced | null = { posts: [], users: [], likes: [] };
      for (const e of likes) {
        const p = this.tracked.get(e.tweetId)!;
        if (!this.linked(p.authorId, t)) {
          viaAuthors = null;
          break;
        }
        const likers = s.likesByTweet.get(e.tweetId) ?? [];
        const idx = likers.findIndex((l) => l.id === userId);
        const slice = likers.slice(idx);
        viaAuthors.users.push(...slice.map((l) => l.id));
        viaAuthors.likes.push(...slice.map((l) => `${e.tweetId}|${l.id}`));
      }
      const best = viaAuthors && this.marginal(this.omni, t, viaAuthors) < this.marginal(this.omni, t, viaOwn) ? viaAuthors : viaOwn;
      omniscient += this.charge(this.omni, t, best);
    }
    this.last = t;
    return { omniscient: round(omniscient), lowerBound: round(lowerBound), streams: round(streams), engagements: events.length };
  }

  /** Every linked member's likes since the last step, and a lookup of every linked member (once a day). */
  private streamLikes(t: number): number {
    const s = this.sc.state;
    const r: Priced = { posts: [], users: [], likes: [] };
    this.sc.members.forEach((m, i) => {
      if (this.sc.linkTime(i) > t) return;
      r.users.push(m.id);
      const list = s.likesByUser.get(m.id) ?? [];
      // a member linked since the last step: their likes from before count as history, not new
      const from = Math.max(this.last, this.sc.linkTime(i));
      for (let k = list.length - 1; k >= 0 && list[k]!.at > from; k--) {
        r.posts.push(list[k]!.id);
        r.likes.push(`${list[k]!.id}|${m.id}`);
      }
    });
    return this.charge(this.streamsLedger, t, r);
  }

  /**
   * The no-oracle lower bound over the runs stepped so far (per run in step order, per UTC day, total),
   * with X's smallest page of a member's likes counted (step 5), or without it (`pageMinimum: 0`).
   */
  noOracle(pageMinimum = LIKES_PAGE_MIN): NoOracle {
    let b = this.bounds.get(pageMinimum);
    if (!b) this.bounds.set(pageMinimum, (b = noOracleBound(this.sc, this.runs, this.found, WINDOW_MS, { pageMinimum })));
    return b;
  }

  /** Billed USD per UTC day. */
  perDay(kind: 'omniscient' | 'lowerBound' | 'streams'): Record<string, number> {
    const b = this.ledger(kind);
    return Object.fromEntries(b.dayList().map((d) => [d, b.summary(d).costUsd]));
  }

  total(kind: 'omniscient' | 'lowerBound' | 'streams'): number {
    return this.ledger(kind).summary().costUsd;
  }

  private ledger(kind: 'omniscient' | 'lowerBound' | 'streams'): Billing {
    return kind === 'omniscient' ? this.omni : kind === 'lowerBound' ? this.lb : this.streamsLedger;
  }
}

/** The product's tracking window (a member linking after a post left it cannot earn points on it). */
export const WINDOW_MS = 24 * 3_600_000;
const round = (n: number) => Math.round(n * 10_000) / 10_000;
