import { snowflake } from './ids';
import { XState, type XTweet, type XUser } from './state';

/** Deterministic PRNG (mulberry32) so a seed always builds the same community. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type ScenarioKind = 'like' | 'retweet' | 'reply' | 'quote';

export interface ScenarioEvent {
  at: number;
  userId: string;
  tweetId: string;
  /** 'post': userId publishes a post (tweetId preassigned, or '' for a fresh id). */
  kind: ScenarioKind | 'post';
  member: boolean;
  text?: string;
  /** A like of a post nobody scheduled: it is created (at `createdAt`, by `authorId`) just before the like. */
  fresh?: { authorId: string; createdAt: number };
  /** A post that replies to, reposts or quotes `tweetId` without being engagement worth points. */
  ref?: 'reply' | 'retweet' | 'quote';
}

/** A post as the scenario plans it (it exists on the double from `createdAt`). */
export interface PlannedPost {
  id: string;
  authorId: string;
  createdAt: number;
  text: string;
}

export interface ScenarioOptions {
  seed?: number;
  /** Linked community members (X accounts). */
  members?: number;
  /** Tracked posts, created over `hours` before `end`. */
  tweets?: number;
  hours?: number;
  /** End of the simulated period (epoch ms). */
  end: number;
  /** Mean member engagements of each kind per tracked post (Zipf-skewed over members). */
  memberRates?: Partial<Record<ScenarioKind, number>>;
  /** Mean non-member engagements of each kind per tracked post. */
  outsiderRates?: Partial<Record<ScenarioKind, number>>;
  /** Fraction of tracked posts authored by the member who submits them. */
  ownPostShare?: number;
  /** Untracked likes / posts per member per day (noise a member-side reader pays for). */
  noiseLikesPerDay?: number;
  noisePostsPerDay?: number;
  /** Mean delay between a post and an engagement with it. */
  meanDelayMs?: number;
  /** Schedule nothing after `end` (so runs after it find nothing new). */
  quietAfterEnd?: boolean;
}

export interface TrackedPost {
  tweet: PlannedPost;
  /** Index into members of the member who submits it. */
  submitter: number;
  /** When it is submitted to the product (shortly after it is posted). */
  submittedAt: number;
}

/**
 * A seeded community for the X double: members with skewed activity, tracked posts, outsider
 * engagement, and noise. Engagement is scheduled in time; `advanceTo(t)` applies everything that
 * happened up to t, so a test can run the batch every 30 minutes of simulated time.
 */
export class Scenario {
  readonly members: XUser[] = [];
  readonly tracked: TrackedPost[] = [];
  /** When member i links their X account in the product (default: before the scenario starts). */
  readonly linkAt: number[] = [];
  private readonly events: ScenarioEvent[] = [];
  /** Member engagement with tracked posts (the events `truth` looks at), in time order once sealed. */
  readonly memberEvents: ScenarioEvent[] = [];
  private applied = 0;
  private clock: number;
  readonly state: XState;

  constructor(readonly opts: ScenarioOptions) {
    this.clock = opts.end - (opts.hours ?? 24) * 3_600_000;
    this.state = new XState(() => this.clock);
  }

  /** Current simulated time (the double's clock). */
  now(): number {
    return this.clock;
  }

  /** Move time forward to `t` and apply every scheduled engagement up to then. */
  advanceTo(t: number): number {
    this.clock = Math.max(this.clock, t);
    let n = 0;
    while (this.applied < this.events.length && this.events[this.applied]!.at <= this.clock) {
      const e = this.events[this.applied++]!;
      this.apply(e);
      n++;
    }
    return n;
  }

  /** Tracked posts submitted by `t`. */
  submittedBy(t: number): TrackedPost[] {
    return this.tracked.filter((p) => p.submittedAt <= t);
  }

  /**
   * Member engagements with tracked posts that happened by `t` and deserve points: not by the
   * submitter, not on the member's own post (and, given the tracking window, not by a member who
   * linked after the post left it). Keys `tweetId|xUserId|kind`.
   *
   * With `runs` (the times the product's batch runs) as well: only what a run could have seen while
   * the post was tracked, i.e. some run at or after the engagement, the member's link and the
   * submission, and at most `windowMs` after the submission. The product awards only posts inside the
   * window at run time (a member who links twenty minutes before a post leaves the window, with the
   * next run after that, never had it tracked while linked).
   */
  truth(t = this.clock, opts: { windowMs?: number; runs?: number[] } = {}): Set<string> {
    const tracked = new Map(this.tracked.map((p) => [p.tweet.id, p]));
    const index = new Map(this.members.map((m, i) => [m.id, i]));
    const out = new Set<string>();
    for (const e of this.memberEvents) {
      if (e.at > t || e.kind === 'post') continue;
      const p = tracked.get(e.tweetId);
      if (!p || p.submittedAt > t) continue;
      // a member who links only after the post left the tracking window cannot earn points on it
      const linked = this.linkTime(index.get(e.userId) ?? -1);
      if (opts.windowMs !== undefined && linked > p.submittedAt + opts.windowMs) continue;
      if (opts.windowMs !== undefined && opts.runs) {
        const from = Math.max(linked, e.at, p.submittedAt);
        const until = Math.min(t, p.submittedAt + opts.windowMs);
        if (!opts.runs.some((r) => r >= from && r <= until)) continue;
      }
      if (e.userId === this.members[p.submitter]!.id || e.userId === p.tweet.authorId) continue;
      out.add(`${e.tweetId}|${e.userId}|${e.kind}`);
    }
    return out;
  }

  schedule(e: ScenarioEvent): void {
    this.events.push(e);
    if (e.member) this.memberEvents.push(e);
  }

  /** When member `i` links (the product's seeding links them once this time has come). */
  linkTime(i: number): number {
    return this.linkAt[i] ?? -Infinity;
  }

  /** Sort scheduled events by time; call after scheduling by hand. */
  seal(): void {
    this.events.sort((a, b) => a.at - b.at);
    this.events.splice(0, this.applied);
    this.applied = 0;
    this.memberEvents.sort((a, b) => a.at - b.at);
  }

  /** Forget scheduled events after `t`. */
  dropAfter(t: number): void {
    const keep = this.events.filter((e, i) => i < this.applied || e.at <= t);
    this.events.length = 0;
    for (const e of keep) this.events.push(e);
    const members = this.memberEvents.filter((e) => e.at <= t);
    this.memberEvents.length = 0;
    for (const e of members) this.memberEvents.push(e);
  }

  eventCount(): number {
    return this.events.length;
  }

  private apply(e: ScenarioEvent): void {
    const s = this.state;
    if (e.fresh) s.addTweet({ id: e.tweetId, authorId: e.fresh.authorId, createdAt: e.fresh.createdAt, text: 'something else' });
    if (e.ref) {
      if (e.ref === 'reply') s.reply(e.userId, e.tweetId, e.at, replyText(e.userId, e.tweetId));
      else if (e.ref === 'retweet') s.retweet(e.userId, e.tweetId, e.at);
      else s.quote(e.userId, e.tweetId, e.at);
      return;
    }
    if (e.kind === 'like') s.like(e.userId, e.tweetId, e.at);
    else if (e.kind === 'retweet') s.retweet(e.userId, e.tweetId, e.at);
    else if (e.kind === 'reply') s.reply(e.userId, e.tweetId, e.at, e.text ?? replyText(e.userId, e.tweetId));
    else if (e.kind === 'quote') s.quote(e.userId, e.tweetId, e.at);
    else s.addTweet({ authorId: e.userId, createdAt: e.at, text: e.text ?? 'just posting', ...(e.tweetId ? { id: e.tweetId } : {}) });
  }
}

const REPLY_WORDS = ['this', 'is', 'a', 'great', 'point', 'about', 'fees', 'the', 'roadmap', 'looks', 'solid', 'thanks', 'for', 'sharing', 'agree', 'with', 'your',
  'take', 'on', 'rollups', 'wallet', 'launch', 'community', 'really', 'interesting', 'thread', 'love', 'it', 'details', 'team', 'when', 'mainnet'];

/**
 * A reply's text, varied and deterministic without drawing on the scenario's randomness (so every
 * other figure stays as it was): most are 4 to 12 words, one in ten is "great post", one in ten "gm 🚀"
 * (the copy-paste replies the reply rules are for).
 */
export function replyText(userId: string, tweetId: string): string {
  let h = 2166136261;
  for (const c of `${userId}:${tweetId}`) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  if (h % 10 === 0) return 'great post';
  if (h % 10 === 1) return 'gm 🚀';
  const words: string[] = [];
  let x = h;
  for (let i = 0; i < 4 + (h % 9); i++) {
    x = Math.imul(x ^ (x >>> 13), 1597334677) >>> 0;
    words.push(REPLY_WORDS[x % REPLY_WORDS.length]!);
  }
  return words.join(' ');
}

export const poisson = (rnd: () => number, mean: number): number => {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(rnd)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rnd();
  } while (p > l);
  return k - 1;
};

export function gauss(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(rnd() || 1e-9)) * Math.cos(2 * Math.PI * rnd());
}

/** Pick an index from cumulative weights. */
export function pick(cum: number[], rnd: () => number): number {
  const r = rnd() * cum[cum.length - 1]!;
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A tracked post's engagement: of each kind, up to `maxMembers` draws of members by activity (each
 * once; an author's own like, repost or quote skipped), then outsiders, each at `after(createdAt)`.
 */
export function scheduleEngagement(
  sc: Scenario,
  rnd: () => number,
  tweet: PlannedPost,
  o: { cum: number[]; maxMembers: number; memberRates: Record<ScenarioKind, number>; outsiderRates: Record<ScenarioKind, number>; after: (t0: number) => number; outsider: () => string },
): void {
  for (const kind of ['like', 'retweet', 'reply', 'quote'] as const) {
    const seen = new Set<number>();
    const n = Math.min(o.maxMembers, poisson(rnd, o.memberRates[kind]));
    for (let k = 0; k < n; k++) {
      const m = pick(o.cum, rnd);
      if (seen.has(m) || (kind !== 'reply' && sc.members[m]!.id === tweet.authorId)) continue;
      seen.add(m);
      sc.schedule({ at: o.after(tweet.createdAt), userId: sc.members[m]!.id, tweetId: tweet.id, kind, member: true });
    }
    const outs = poisson(rnd, o.outsiderRates[kind]);
    for (let k = 0; k < outs; k++) sc.schedule({ at: o.after(tweet.createdAt), userId: o.outsider(), tweetId: tweet.id, kind, member: false });
  }
}

/**
 * Build a community: `members` X accounts with Zipf-skewed activity, `tweets` tracked posts over
 * the period (a share authored by their submitter, the rest by outside accounts), member and
 * outsider engagement scheduled after each post, and per-member noise (untracked likes and posts).
 */
export function buildScenario(opts: ScenarioOptions): Scenario {
  const rnd = prng(opts.seed ?? 42);
  const sc = new Scenario(opts);
  const s = sc.state;
  const start = sc.now();
  const end = opts.end;
  const span = end - start;
  const nMembers = opts.members ?? 1000;
  const nTweets = opts.tweets ?? 300;
  const mRates = { like: 6, retweet: 1.5, reply: 0.8, quote: 0.3, ...opts.memberRates };
  const oRates = { like: 120, retweet: 15, reply: 8, quote: 2, ...opts.outsiderRates };
  const delay = opts.meanDelayMs ?? 90 * 60_000;
  const memberSeq = { n: 0 };

  for (let i = 0; i < nMembers; i++) {
    sc.members.push(s.addUser({ id: String(1_000_000 + i), username: `member${i}`, createdAt: start - 400 * 86_400_000 }));
    memberSeq.n++;
  }
  // Zipf-like skew: a few members do most of the engaging.
  const cum: number[] = [];
  let acc = 0;
  const order = sc.members.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const weight = new Array<number>(nMembers);
  order.forEach((m, rank) => (weight[m] = 1 / Math.pow(rank + 1, 0.9)));
  for (let i = 0; i < nMembers; i++) cum.push((acc += weight[i]!));
  const meanWeight = acc / Math.max(1, nMembers);

  const outsiders = [s.addUser({ id: '900000001', username: 'project', followers: 50_000 }), s.addUser({ id: '900000002', username: 'partner', followers: 20_000 })];
  let outsiderId = 2_000_000_000;
  const after = (t0: number) => t0 + Math.min(-Math.log(rnd() || 1e-9) * delay, 48 * 3_600_000);

  // Untracked posts members like as noise.
  const noisePool: XTweet[] = [];
  for (let i = 0; i < 200; i++) noisePool.push(s.addTweet({ authorId: outsiders[i % 2]!.id, createdAt: start - 3 * 86_400_000 + Math.floor(rnd() * 3 * 86_400_000) }));

  for (let i = 0; i < nTweets; i++) {
    const createdAt = start + Math.floor(rnd() * span * 0.97);
    const submitter = pick(cum, rnd);
    const own = rnd() < (opts.ownPostShare ?? 0.5);
    const author = own ? sc.members[submitter]! : outsiders[i % 2]!;
    const tweet: PlannedPost = { id: snowflake(createdAt), authorId: author.id, createdAt, text: `tracked post ${i}` };
    sc.schedule({ at: createdAt, userId: author.id, tweetId: tweet.id, kind: 'post', member: false, text: tweet.text });
    sc.tracked.push({ tweet, submitter, submittedAt: createdAt + 60_000 + Math.floor(rnd() * 10 * 60_000) });
    scheduleEngagement(sc, rnd, tweet, { cum, maxMembers: nMembers - 1, memberRates: mRates, outsiderRates: oRates, after, outsider: () => String(outsiderId++) });
  }
  // Noise: members like untracked posts and post their own things, in proportion to their activity.
  const days = span / 86_400_000;
  for (let m = 0; m < nMembers; m++) {
    const scale = weight[m]! / meanWeight;
    const likes = poisson(rnd, (opts.noiseLikesPerDay ?? 4) * days * scale);
    for (let k = 0; k < likes; k++) {
      sc.schedule({ at: start + Math.floor(rnd() * span), userId: sc.members[m]!.id, tweetId: noisePool[Math.floor(rnd() * noisePool.length)]!.id, kind: 'like', member: false });
    }
    const posts = poisson(rnd, (opts.noisePostsPerDay ?? 2) * days * scale);
    for (let k = 0; k < posts; k++) {
      sc.schedule({ at: start + Math.floor(rnd() * span), userId: sc.members[m]!.id, tweetId: '', kind: 'post', member: false });
    }
  }
  if (opts.quietAfterEnd) sc.dropAfter(end);
  sc.seal();
  return sc;
}
