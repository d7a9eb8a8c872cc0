import { snowflake } from './ids';
import { gauss, pick, poisson, prng, Scenario, scheduleEngagement, type PlannedPost } from './scenario';

const DAY = 86_400_000;
const HOUR = 3_600_000;

export interface RealisticOptions {
  seed?: number;
  /** Linked community members. */
  members?: number;
  /** Tracked posts submitted per day. */
  tweetsPerDay?: number;
  /** Simulated days of tracked activity before `end` (runs usually cover them). */
  days?: number;
  /** Days of ordinary X activity before the tracked period (likes, posts, replies, reposts, quotes). */
  historyDays?: number;
  /** End of the simulated period (epoch ms). */
  end: number;
  /** Share of members who never engage with tracked posts (they still like and post on X). */
  neverEngageShare?: number;
  /** Share of members who link their X account during the tracked period, not before it. */
  lateLinkShare?: number;
  /** Share of members whose X account is protected (search never returns their posts). */
  protectedShare?: number;
  /** Median untracked likes per member per day (log-normal over members, long tail). */
  likesPerDayMedian?: number;
  /** Median untracked posts (own posts, replies, reposts, quotes) per member per day. */
  postsPerDayMedian?: number;
  /** Spread of the log-normal activity (larger: more very busy and very quiet members). */
  activitySigma?: number;
  /** Share of background likes on widely shared posts (the rest: distinct posts nobody else touches). */
  sharedLikeShare?: number;
  /** Share of tracked posts authored by the member who submits them. */
  ownPostShare?: number;
  /** Mean member / non-member engagements of each kind per tracked post. */
  memberRates?: Partial<Record<'like' | 'retweet' | 'reply' | 'quote', number>>;
  outsiderRates?: Partial<Record<'like' | 'retweet' | 'reply' | 'quote', number>>;
}

/**
 * A community that looks like real X members (what makes member-side reads expensive):
 * - every member likes and posts untracked things, mostly DISTINCT posts (a long tail; some widely
 *   shared ones), with log-normal activity (a few do hundreds a day, many a handful, some none);
 * - 30 days of that history before the tracked period, so first reads meet deep histories;
 * - a share of members never engages with tracked posts; engagement among the rest is skewed;
 * - some members link mid-period; some are protected (search never shows them);
 * - tracked posts keep arriving every day, and engagement spreads over hours, across UTC midnights.
 */
export function buildRealistic(opts: RealisticOptions): Scenario {
  const rnd = prng(opts.seed ?? 11);
  const days = opts.days ?? 4;
  const historyDays = opts.historyDays ?? 30;
  const end = opts.end;
  const sc = new Scenario({ end, hours: days * 24 });
  const s = sc.state;
  const start = sc.now();
  const histStart = start - historyDays * DAY;
  const nMembers = opts.members ?? 1000;
  const sigma = opts.activitySigma ?? 1.3;
  const lognormal = (median: number, sd: number) => median * Math.exp(sd * gauss(rnd));

  // Members: activity on X (untracked), engagement weight for tracked posts, link time, privacy.
  const likeRate: number[] = [];
  const postRate: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < nMembers; i++) {
    const prot = rnd() < (opts.protectedShare ?? 0.03);
    sc.members.push(s.addUser({ id: String(1_000_000 + i), username: `member${i}`, createdAt: histStart - 400 * DAY, protected: prot }));
    const likes = Math.min(300, lognormal(opts.likesPerDayMedian ?? 5, sigma));
    likeRate.push(likes);
    postRate.push(Math.min(80, (opts.postsPerDayMedian ?? 1.5) * Math.pow(likes / (opts.likesPerDayMedian ?? 5), 0.6) * Math.exp(0.5 * gauss(rnd))));
    sc.linkAt.push(rnd() < (opts.lateLinkShare ?? 0.12) ? start + Math.floor(rnd() * (days - 0.5) * DAY) : -Infinity);
  }
  const engaging = sc.members.map((_, i) => i).filter(() => rnd() >= (opts.neverEngageShare ?? 0.25));
  for (let i = engaging.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [engaging[i], engaging[j]] = [engaging[j]!, engaging[i]!];
  }
  for (let i = 0; i < nMembers; i++) weight.push(0);
  engaging.forEach((m, rank) => (weight[m] = 1 / Math.pow(rank + 1, 0.8)));
  const cum: number[] = [];
  let acc = 0;
  for (let i = 0; i < nMembers; i++) cum.push((acc += weight[i]!));

  // Outside accounts: a few big ones that get submitted, and a long tail of authors (never materialised).
  const big = Array.from({ length: 8 }, (_, k) => s.addUser({ id: String(900_000_001 + k), username: `brand${k}`, followers: 50_000 }));
  const tailAuthor = () => String(3_000_000_000 + Math.floor(rnd() * 50_000));

  // Widely shared posts, a few hundred a day, scheduled so each exists only from its time.
  const POOL_PER_DAY = 300;
  const pool: Array<{ id: string; createdAt: number }> = [];
  for (let d = 0; d < historyDays + days; d++) {
    for (let k = 0; k < POOL_PER_DAY; k++) {
      const createdAt = histStart + d * DAY + Math.floor(rnd() * DAY);
      const id = snowflake(createdAt);
      pool.push({ id, createdAt });
      sc.schedule({ at: createdAt, userId: big[k % big.length]!.id, tweetId: id, kind: 'post', member: false, text: 'trending' });
    }
  }
  pool.sort((a, b) => a.createdAt - b.createdAt);
  /** A shared post created before `at`, mostly from the last day or two (popularity is skewed). */
  const shared = (at: number): string | null => {
    const hi = upperBound(pool, at);
    if (hi <= 0) return null;
    const span = Math.min(hi, 2 * POOL_PER_DAY);
    return pool[hi - 1 - Math.floor(span * Math.pow(rnd(), 2.5))]!.id;
  };

  // Background activity, from 30 days before the tracked period to its end.
  for (let m = 0; m < nMembers; m++) {
    const uid = sc.members[m]!.id;
    const nLikes = poisson(rnd, likeRate[m]! * (historyDays + days));
    for (let k = 0; k < nLikes; k++) {
      const at = histStart + Math.floor(rnd() * (historyDays + days) * DAY);
      const sharedId = rnd() < (opts.sharedLikeShare ?? 0.3) ? shared(at) : null;
      if (sharedId) {
        sc.schedule({ at, userId: uid, tweetId: sharedId, kind: 'like', member: false });
      } else {
        // A distinct post: usually hours old, sometimes weeks.
        const age = rnd() < 0.05 ? rnd() * 30 * DAY : -Math.log(rnd() || 1e-9) * 10 * HOUR;
        const createdAt = Math.floor(at - age - 1000);
        sc.schedule({ at, userId: uid, tweetId: snowflake(createdAt), kind: 'like', member: false, fresh: { authorId: tailAuthor(), createdAt } });
      }
    }
    const nPosts = poisson(rnd, postRate[m]! * (historyDays + days));
    for (let k = 0; k < nPosts; k++) {
      const at = histStart + Math.floor(rnd() * (historyDays + days) * DAY);
      const r = rnd();
      const target = r < 0.45 ? null : shared(at - 60_000);
      if (!target) sc.schedule({ at, userId: uid, tweetId: '', kind: 'post', member: false });
      else sc.schedule({ at, userId: uid, tweetId: target, kind: 'post', member: false, ref: r < 0.7 ? 'reply' : r < 0.95 ? 'retweet' : 'quote' });
    }
  }

  // Tracked posts and their engagement.
  const mRates = { like: 6, retweet: 1.2, reply: 0.8, quote: 0.3, ...opts.memberRates };
  const oRates = { like: 120, retweet: 15, reply: 8, quote: 2, ...opts.outsiderRates };
  const nTweets = Math.round((opts.tweetsPerDay ?? 120) * days);
  let outsiderId = 2_000_000_000;
  const after = (t0: number) => t0 + Math.min(-Math.log(rnd() || 1e-9) * 90 * 60_000, 48 * HOUR);
  for (let i = 0; i < nTweets; i++) {
    const createdAt = start + Math.floor(rnd() * (days * DAY - 2 * HOUR));
    const submitter = engaging.length ? pick(cum, rnd) : 0;
    const sub = sc.members[submitter]!;
    const own = !sub.protected && rnd() < (opts.ownPostShare ?? 0.5);
    const author = own ? sub : big[i % big.length]!;
    const tweet: PlannedPost = { id: snowflake(createdAt), authorId: author.id, createdAt, text: `tracked post ${i}` };
    sc.schedule({ at: createdAt, userId: author.id, tweetId: tweet.id, kind: 'post', member: false, text: tweet.text });
    sc.tracked.push({ tweet, submitter, submittedAt: Math.max(createdAt + 60_000 + Math.floor(rnd() * 10 * 60_000), Math.min(sc.linkTime(submitter), end)) });
    scheduleEngagement(sc, rnd, tweet, { cum, maxMembers: engaging.length ? Infinity : 0, memberRates: mRates, outsiderRates: oRates, after, outsider: () => String(outsiderId++) });
  }
  sc.seal();
  sc.advanceTo(start);
  return sc;
}

/** Index of the first entry created after `at` (entries sorted by createdAt). */
function upperBound(arr: Array<{ createdAt: number }>, at: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]!.createdAt <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
