import { X_PRICES, type EngagementKind, type PublicMetrics } from '@engagement-tracker/core';

/** X's pay-per-use prices per resource returned: the one table in core (X_PRICES). */
export const PRICE = X_PRICES;

const METRIC: Record<EngagementKind, keyof PublicMetrics> = { like: 'likes', retweet: 'retweets', reply: 'replies', quote: 'quotes' };
/** Extra items read past the counted increase, in case some engagement was also withdrawn. */
const MARGIN = 2;
const SEARCH_WINDOW_MS = 7 * 86_400_000;
/** Members per recent-search query: `from:<id> OR ` is at most 28 characters of the 512. */
export const SEARCH_GROUP = 16;

export interface PlanTweet {
  tweetId: string;
  createdAt: number;
  /** Counts the last complete run saw; undefined for a post never looked at. */
  prev?: PublicMetrics;
  now: PublicMetrics;
  /** When `prev` was saved: engagement after it is new. */
  markedAt?: number;
  /** The author is a linked member whose token can list the post's likers. */
  authorCanListLikes: boolean;
}

export interface PlanInput {
  now: number;
  tweets: PlanTweet[];
  /** Linked members a member-side read would look up this run (those due, and those already billed today). */
  members: number;
  /** How many of them X has not billed today (X bills a user once per UTC day). */
  lookupsUnbilled: number;
  /** How many of them are only free re-checks: looked up with what the users_lookup window leaves, never needed. */
  recheck?: number;
  /** Some members' likes must be read this run (deferred reads coming due, refused reads to retry). */
  forceMemberLikes?: boolean;
  /** Some members' posts must be read this run (a post they may have engaged is about to leave the window). */
  forceMemberPosts?: boolean;
  /** Average new items a member scan returned recently (page-size and cost hint). */
  itemsPerScan: number;
  /** Members whose recent scans found something (how many reads a run usually needs); 0 = unknown. */
  activeMembers?: number;
  /** Requests left in the current windows (Infinity when unknown). */
  remaining: { liking_users: number; retweeted_by: number; quote_tweets: number; search_recent: number; users_lookup: number };
}

/** A read from the post's side: up to `items` newest entries of one kind. */
export interface TweetRead {
  tweetId: string;
  kind: EngagementKind;
  items: number;
}

export interface Plan {
  /** Posts whose counts moved (or are new), per kind. */
  changed: Record<EngagementKind, string[]>;
  /** Posts never looked at before (their engagement is read from their creation). */
  fresh: string[];
  /** Per changed post, from when its new engagement must be read (its last saved counts, or its creation). */
  readFrom: Record<string, number>;
  likes: 'none' | 'members' | 'authors';
  /**
   * members: each changed member's own timeline (since_id); search: recent search over changed
   * members (`from:` ids, only retweets/replies/quotes); tweets: from the posts' side.
   */
  posts: 'none' | 'members' | 'search' | 'tweets';
  memberLookup: boolean;
  tweetReads: TweetRead[];
  estimate: { costUsd: number; requests: number; alternatives: Record<string, number> };
}

export function changedBy(t: PlanTweet, kind: EngagementKind): number | null {
  const now = t.now[METRIC[kind]];
  if (!t.prev) return now > 0 ? now : null;
  const before = t.prev[METRIC[kind]];
  if (now === before) return null;
  return Math.max(0, now - before) + MARGIN;
}

/**
 * Choose, for this run, how to cover every changed post and every member at the lowest billed
 * cost: likes from each member's own liked_tweets or from the authors' liking_users; retweets,
 * replies and quotes from members' timelines or from the posts' side. Posts whose counts did not
 * move need nothing. Pure: no I/O.
 */
export function planRun(input: PlanInput): Plan {
  const changed: Plan['changed'] = { like: [], retweet: [], reply: [], quote: [] };
  const reads: Record<EngagementKind, TweetRead[]> = { like: [], retweet: [], reply: [], quote: [] };
  for (const t of input.tweets) {
    for (const kind of ['like', 'retweet', 'reply', 'quote'] as const) {
      const d = changedBy(t, kind);
      if (d === null) continue;
      changed[kind].push(t.tweetId);
      reads[kind].push({ tweetId: t.tweetId, kind, items: Math.max(1, Math.min(d, t.now[METRIC[kind]] + MARGIN)) });
    }
  }
  const byId = new Map(input.tweets.map((t) => [t.tweetId, t]));
  const pages = (items: number, min: number) => Math.max(1, Math.ceil(Math.max(items, min) / 100));

  // Post-side costs (Infinity when impossible or beyond the rate limits left).
  let likeTweetCost = 0;
  let likeTweetReq = 0;
  for (const r of reads.like) {
    if (!byId.get(r.tweetId)!.authorCanListLikes) likeTweetCost = Infinity;
    likeTweetCost += r.items * PRICE.user;
    likeTweetReq += pages(r.items, 1);
  }
  if (likeTweetReq > input.remaining.liking_users) likeTweetCost = Infinity;

  let postTweetCost = 0;
  const req = { retweeted_by: 0, quote_tweets: 0, search_recent: 0 };
  for (const r of reads.retweet) {
    postTweetCost += r.items * PRICE.user;
    req.retweeted_by += pages(r.items, 1);
  }
  for (const r of reads.quote) {
    postTweetCost += Math.max(10, r.items) * PRICE.post;
    req.quote_tweets += pages(r.items, 10);
  }
  for (const r of reads.reply) {
    if (input.now - byId.get(r.tweetId)!.createdAt > SEARCH_WINDOW_MS - 3_600_000) postTweetCost = Infinity;
    postTweetCost += Math.max(10, r.items) * PRICE.post;
    req.search_recent += pages(r.items, 10);
  }
  if (req.retweeted_by > input.remaining.retweeted_by || req.quote_tweets > input.remaining.quote_tweets || req.search_recent > input.remaining.search_recent) {
    postTweetCost = Infinity;
  }

  // Member-side costs: one lookup of the members due (billed once a day), then only members whose
  // like / post counts moved are read, with pages sized to what moved.
  const lookupCost = input.lookupsUnbilled * PRICE.user;
  const lookupReq = Math.ceil(input.members / 100);
  const likeIncrease = reads.like.reduce((s, r) => s + r.items, 0);
  // A forced read of members' posts returns something even when no post moved this run.
  const postIncrease = [...reads.retweet, ...reads.reply, ...reads.quote].reduce((s, r) => s + r.items, 0) + (input.forceMemberPosts ? 1 : 0);
  // Only members whose counts moved are read; history says how many that usually is.
  const usual = input.activeMembers ? Math.max(input.activeMembers, Math.ceil(input.members / 20)) : input.members;
  const scans = (increase: number) => Math.min(input.members, increase, usual);
  const likeMemberCost = scans(likeIncrease) * Math.max(1, input.itemsPerScan) * PRICE.post;
  const postMemberCost = scans(postIncrease) * Math.max(1, input.itemsPerScan) * PRICE.post;
  // Search returns only the members' retweets, replies and quotes, SEARCH_GROUP members a query.
  const oldest = Math.min(...reads.retweet.concat(reads.reply, reads.quote).map((r) => byId.get(r.tweetId)!.createdAt));
  const searchReq = Math.ceil(scans(postIncrease) / SEARCH_GROUP);
  // It returns a subset of what the timelines would (only engagement posts), in fewer requests.
  const postSearchCost = input.now - oldest > SEARCH_WINDOW_MS - 3_600_000 || searchReq > input.remaining.search_recent
    ? Infinity
    : Math.min(postMemberCost, postIncrease * PRICE.post);

  const needLikes = reads.like.length > 0 || !!input.forceMemberLikes;
  const needPosts = reads.retweet.length + reads.reply.length + reads.quote.length > 0 || !!input.forceMemberPosts;
  // Free re-checks wait when the window cannot carry them: only the due members' lookups must fit.
  const lookupOk = Math.ceil((input.members - (input.recheck ?? 0)) / 100) <= input.remaining.users_lookup;
  const options: Array<{ likes: Plan['likes']; posts: Plan['posts']; cost: number; requests: number }> = [];
  for (const likes of needLikes ? (input.forceMemberLikes ? (['members'] as const) : (['members', 'authors'] as const)) : (['none'] as const)) {
    for (const posts of needPosts ? (input.forceMemberPosts ? (['members', 'search'] as const) : (['members', 'search', 'tweets'] as const)) : (['none'] as const)) {
      const member = likes === 'members' || posts === 'members' || posts === 'search';
      // A member lookup the rate limits cannot carry this window is a last resort.
      const cost = (member ? lookupCost + (lookupOk ? 0 : 1e6) : 0)
        + (likes === 'members' ? likeMemberCost : likes === 'authors' ? likeTweetCost : 0)
        + (posts === 'members' ? postMemberCost : posts === 'search' ? postSearchCost : posts === 'tweets' ? postTweetCost : 0);
      const requests = (member ? lookupReq : 0)
        + (likes === 'members' ? scans(likeIncrease) : likes === 'authors' ? likeTweetReq : 0)
        + (posts === 'members' ? scans(postIncrease) : posts === 'search' ? searchReq : posts === 'tweets' ? req.retweeted_by + req.quote_tweets + req.search_recent : 0);
      options.push({ likes, posts, cost, requests });
    }
  }
  options.sort((a, b) => a.cost - b.cost || a.requests - b.requests);
  const best = options[0] ?? { likes: needLikes ? 'members' : 'none', posts: needPosts ? 'members' : 'none', cost: Infinity, requests: 0 };
  const tweetReads = [
    ...(best.likes === 'authors' ? reads.like : []),
    ...(best.posts === 'tweets' ? [...reads.retweet, ...reads.reply, ...reads.quote] : []),
  ];
  return {
    changed,
    fresh: input.tweets.filter((t) => !t.prev).map((t) => t.tweetId),
    readFrom: Object.fromEntries(input.tweets.map((t) => [t.tweetId, t.prev ? (t.markedAt ?? 0) : t.createdAt])),
    likes: best.likes,
    posts: best.posts,
    memberLookup: best.likes === 'members' || best.posts === 'members' || best.posts === 'search',
    tweetReads,
    estimate: {
      costUsd: Math.round(best.cost * 10_000) / 10_000,
      requests: best.requests,
      alternatives: Object.fromEntries(options.map((o) => [`${o.likes}+${o.posts}`, Math.round(o.cost * 10_000) / 10_000])),
    },
  };
}

/** Page size for reading `expected` new items: small when little is expected (X's minimum is `min`). */
export function pageSize(expected: number, min: number, max = 100): number {
  return Math.max(min, Math.min(max, Math.ceil(expected) + MARGIN));
}

/**
 * Likes of members whose grant died (needs_reconnect) can only be seen from the other side: the
 * author's liking_users, on posts by linked members whose like count moved. Worth it only while
 * cheap: the newest likers of the posts that moved least, within `budgetUsd` a run.
 */
export function reconnectLikeReads(tweets: PlanTweet[], budgetUsd: number): TweetRead[] {
  const reads = tweets
    .filter((t) => t.authorCanListLikes)
    .map((t) => ({ t, d: changedBy(t, 'like') }))
    .filter((x): x is { t: PlanTweet; d: number } => x.d !== null)
    .map(({ t, d }) => ({ tweetId: t.tweetId, kind: 'like' as const, items: Math.max(1, Math.min(d, t.now.likes + MARGIN)) }))
    .sort((a, b) => a.items - b.items);
  const out: TweetRead[] = [];
  let spent = 0;
  for (const r of reads) {
    const cost = r.items * (PRICE.user + PRICE.like);
    if (spent + cost > budgetUsd) break;
    spent += cost;
    out.push(r);
  }
  return out;
}

