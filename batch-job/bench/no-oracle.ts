/**
 * noOracle: a lower bound on what ANY strategy pays that does not know who liked what, to reach
 * recall 1.0 and precision 1.0 for certain, computed from a scenario's truth and the times the batch
 * runs (`runs`, one observation instant each). A strategy acts only at the runs and awards while a
 * post is tracked (by the last run inside its window), as the product does.
 *
 * What such a strategy can observe: a member's own likes (liked_tweets, newest first, with the
 * member's token), anyone's public counts (a user's like/post counts, a post's like/repost/reply/quote
 * counts), a post's likers (liking_users, only with its author's token: only posts whose author is a
 * linked member), reposters, quotes, searches and timelines. None of them shows an outsider's like of
 * a post whose author has not linked, and none shows when a like was made, only its order in a list.
 *
 * The argument. Split time at the runs: interval k is (runs[k-1], runs[k]] (interval 0 starts at -∞).
 * Call p an *open candidate* for member m in interval k when p is a tracked post that was created by
 * runs[k], whose author has not linked by the end of its tracking window (so its likers can never be
 * listed), on which a like by m would earn points (m is not its author or submitter, m links in time,
 * some run while p is tracked is at or after runs[k]), that m never likes, and that some outsider (an
 * account that is never a member) liked in interval k.
 *  1. A like of m on some post u at τ in interval k, with an open candidate p created by τ whose
 *     outsider liker o (at τ_o in k) does not like u: take the world W' where m liked p at τ and o
 *     liked u at τ_o instead (or, when u did not exist yet at τ_o, so τ_o < τ, m liked p at τ_o and o
 *     liked u at τ). Every count is the same at every run (m's, o's, u's and p's: every like moved
 *     stays inside the interval), u's likers differ only if u's author is a member, p's likers cannot
 *     be listed, o's likes cannot be read, and m's list (newest first) first differs at τ, where W
 *     shows u: a read that tells the two apart returns that entry. (A like made before p existed
 *     cannot be exchanged this way: the first difference would be below it.) In W' the strategy must award (p, m, like) while p is tracked, in W
 *     it must not (precision), so by the last run while p is tracked (for every such p: by the first
 *     of those deadlines) it must have been shown that entry of m's list: the like object `u|m` billed, and the post u too unless u's author is a member (then u's
 *     likers could show it instead, billing the member as a user).
 *  2. If m made no like in interval k after an open candidate p was created, the world where m also
 *     liked p in k (and p's outsider liked some post the strategy never looks at instead: no strategy
 *     reads every post on X) differs only in m's like count and list. So some observation of m at a
 *     run from runs[k] to the last run while p is tracked must be billed: a user lookup ($0.01, once a UTC day),
 *     or m's newest like (its like object, plus its post when no other member likes that post), free
 *     when m has no likes. It costs nothing on a UTC day when a requirement of (1) or (4) for one of
 *     m's likes may be billed anyway (a read that day shows it). Quiet intervals before m links are
 *     free (as if m's public count had been watched).
 *  3. If every candidate of a like in (1) has an author who links in time (its likers can be listed),
 *     the strategy may instead read those posts' likers. Take S, the (post, interval) pairs it
 *     certifies from the post's side: it pays at least Σ_{(p,k)∈S} c_pk (c_pk: p's outsider likes
 *     in k, each a like object, and each outsider as a user the first time one is met) plus r_l for
 *     every such like l with a candidate pair outside S (r_l: its like object, and its post for the
 *     first like of a post no other requirement bills). Spreading each r_l evenly over its candidate
 *     pairs gives W_pk, and for every S that sum is at least Σ min(c_pk, W_pk): the bound takes that.
 *  4. Every engagement the truth counts must be shown once: a like by its like object (both
 *     liked_tweets and liking_users return it) and, when the post's author never links in time, the
 *     post; a reply or quote by the member's post; a repost is counted at 0, since retweeted_by
 *     shows it as the member's user object, which may also serve as that day's observation of (2).
 *  5. A page of a member's likes holds at least 10 (LIKES_PAGE_MIN: the smallest `max_results` every
 *     source accepts, and the double's). Take a like of (1) whose post's author is not a member, so
 *     only m's own list can show it, due from run r (the first run at or after the like and m's link)
 *     to a deadline d that is a run stepped (so every like made by d is known). The read that shows
 *     it, at a run t in [r, d], is either a read from the top or a page after a pagination token;
 *     a token continues the listing that issued it below that listing's last entry (tokens are
 *     opaque: a strategy cannot make one up), and the like is below it only if the listing's read
 *     from the top was made after the like, so at a run in [r, t]. Either way some read from the top
 *     happens at a run in [r, d], and its first page returns every like made by r (listed then) that
 *     is among the 10 newest made by d (nothing made since can have pushed it off); a post X may hide
 *     (deleted, or by a suspended or protected author; both only ever turn on) is not claimed but
 *     still counts as a place. Each such like's object and post are billed on the UTC day of that
 *     read, a day in [day of r, day of d]: one more window for each, in the same groups as (1) and
 *     (4), so an object billed anyway that day costs nothing more (a member who made 10 likes since
 *     pays nothing here). A like whose post has a member author may be read through that post's
 *     likers instead and forces no read; a deadline past the last run stepped forces none either.
 *     The likes of the list that only this member's forced reads can bill (the like object, and a post
 *     no other member liked, that is not tracked and no other step needs) leave the groups and are
 *     priced by the member's cheapest schedule instead (cheapestReads in page-minimum.ts): one read
 *     from the top in each window, at runs inside windows only (a read elsewhere bills more, never
 *     less); each bills its first page, the 10 newest likes made by its run, on its day, less those an
 *     earlier read that day billed (they are older than the likes made since), and a forced like that
 *     fell below the first page since the previous read is billed once by a read further down.
 * Objects are billed once a UTC day, so each one costs at least the least number of UTC days that meet
 * every window in which it must be billed (a window runs from the UTC day of the run that makes it due
 * to the day of its deadline; a deadline after the last run stepped is the window end itself); windows
 * are met greedily, at their first day (optimal for intervals on a line), and each billed day is
 * attributed to the run that opened that window (step 5's part is the days its windows add to an
 * object's count, and what a member's schedule pays above the forced likes' own price). No object is
 * priced by two steps (the members' user objects only in (2), outsiders only in (3), a like object or
 * post in one group across (1), (4) and (5), or in one member's schedule, billed once a day; (2) is
 * billed only on days when no forced read can happen). Conservative throughout: whatever a read from the top returns that was made after the like's
 * run, pages below the first, a second read from the top the same day, metrics lookups and what
 * reaching an entry deep in a list returns are all left out; unlikes and X's like-event stream
 * (Activity API, not served by the double) are out of scope. `total` is the bound (with
 * `pageMinimum: 0`, the bound without step 5). `perRun` and `perDay` split it as the greedy schedule
 * pays it; a strategy may move a read to a later day before its deadline, so a day on its own is held
 * only to `within(day, day)`, and a span of days to `within(first, last)`.
 */
import { X_PRICES } from '@engagement-tracker/core';
import type { Scenario, ScenarioEvent } from '@engagement-tracker/sandbox/x';
import { cheapestReads, firstIndex, pageHead } from './page-minimum';

export interface NoOracle {
  total: number;
  perDay: Record<string, number>;
  /** USD attributed to each run (the order of `runs`). */
  perRun: number[];
  /** USD by step of the argument: member likes read (1), quiet members observed (2), linked authors (3), engagement shown (4), page minimum (5). */
  parts: Parts;
  /** The same, for each run. */
  perRunParts: Parts[];
  /**
   * What any such strategy must pay between two UTC days (`YYYY-MM-DD`, both included): the bound
   * over the windows that lie wholly inside them (step 3 left out). Unlike `perDay`, which attributes
   * the total, this holds for a span on its own: `within(d, d)` is what day d must pay whatever
   * other days do.
   */
  within(from: string, to: string): number;
}

export interface Parts {
  likes: number;
  quiet: number;
  linkedAuthors: number;
  engagement: number;
  pageMinimum: number;
}

/** An engagement the truth counts, as the run that could first find it saw it. */
export interface Found {
  run: number;
  e: ScenarioEvent;
  /** The member's reply / quote post. */
  post?: string;
}

interface Window {
  run: number;
  /** Last UTC day (days since the epoch) on which it may be billed. */
  end: number;
  part: keyof Parts;
  /** Step 1 or 5 for a like only this member's own list can show (see `forced`). */
  of?: string;
}

interface TrackedInfo {
  id: string;
  createdAt: number;
  submittedAt: number;
  windowEnd: number;
  /** The last run while it is tracked (its window end when that is after the last run stepped). */
  deadline: number;
  author: string;
  submitter: string;
  /** Its author links before it leaves the window: its likers can be listed. */
  postSide: boolean;
  memberLikers: Set<string>;
  /** Outsiders' likes, by interval. */
  outsiders: Map<number, string[]>;
}

const DAY = 86_400_000;
const dayOf = (t: number) => Math.floor(t / DAY);
const isoDay = (d: number) => new Date(d * DAY).toISOString().slice(0, 10);

/** The smallest `max_results` liked_tweets takes (X's sources say 5 or 10; the double, like the product, takes 10). */
export const LIKES_PAGE_MIN = 10;

export interface NoOracleOptions {
  /** The smallest page of a member's likes (step 5); 0 leaves the page minimum out (the bound before it). */
  pageMinimum?: number;
}

export function noOracleBound(sc: Scenario, runs: number[], found: Found[], windowMs: number, opts: NoOracleOptions = {}): NoOracle {
  const K = runs.length;
  const pageMin = opts.pageMinimum ?? LIKES_PAGE_MIN;
  const noParts = (): Parts => ({ likes: 0, quiet: 0, linkedAuthors: 0, engagement: 0, pageMinimum: 0 });
  const out: NoOracle = { total: 0, perDay: {}, perRun: runs.map(() => 0), parts: noParts(), perRunParts: runs.map(noParts), within: () => 0 };
  if (!K) return out;
  const s = sc.state;
  const last = runs[K - 1]!;
  const index = new Map(sc.members.map((m, i) => [m.id, i]));
  const linkOf = (id: string) => {
    const i = index.get(id);
    return i === undefined ? Infinity : sc.linkTime(i);
  };
  /** First run at or after t (K if none): the interval a like at t falls in. */
  const runAtOrAfter = (t: number) => firstIndex(K, (i) => runs[i]! >= t);
  const authorIsMember = (u: string) => index.has(s.tweets.get(u)?.authorId ?? '');
  /** Post u is in m's likes listing whenever m looks (never deleted, author never suspended or protected from m: both only ever turn on). */
  const shown = (u: string, m: string) => {
    const t = s.tweets.get(u);
    const a = t && s.users.get(t.authorId);
    return !!t && !t.deleted && !a?.suspended && (!a?.protected || a.id === m);
  };

  const tracked = new Map<string, TrackedInfo>();
  const byInterval: TrackedInfo[][] = runs.map(() => []);
  for (const p of sc.tracked) {
    const author = p.tweet.authorId;
    const windowEnd = p.submittedAt + windowMs;
    const info: TrackedInfo = {
      id: p.tweet.id, createdAt: p.tweet.createdAt, submittedAt: p.submittedAt, windowEnd, author, submitter: sc.members[p.submitter]!.id,
      postSide: linkOf(author) <= windowEnd, memberLikers: new Set(), outsiders: new Map(),
      deadline: windowEnd > last ? windowEnd : (runs[firstIndex(K, (i) => runs[i]! > windowEnd) - 1] ?? -Infinity),
    };
    for (const l of s.likesByTweet.get(p.tweet.id) ?? []) {
      if (index.has(l.id)) info.memberLikers.add(l.id);
      else if (l.at <= last) {
        const k = runAtOrAfter(l.at);
        info.outsiders.set(k, [...(info.outsiders.get(k) ?? []), l.id]);
      }
    }
    tracked.set(info.id, info);
    for (const k of info.outsiders.keys()) byInterval[k]!.push(info);
  }

  const likersOf = new Map<string, Set<string>>();
  /** Some outsider of p in interval k does not like u (so the two likes can be exchanged). */
  const swappable = (p: TrackedInfo, k: number, u: string) => {
    const outs = p.outsiders.get(k)!;
    const list = s.likesByTweet.get(u) ?? [];
    if (outs.length > list.length) return true;
    let set = likersOf.get(u);
    if (!set) likersOf.set(u, (set = new Set(list.map((l) => l.id))));
    return outs.some((o) => !set.has(o));
  };

  const likeReqs = new Map<string, Window[]>();
  const postReqs = new Map<string, Window[]>();
  const add = (map: Map<string, Window[]>, key: string, w: Window) => {
    const list = map.get(key);
    if (list) list.push(w);
    else map.set(key, [w]);
  };
  /** Days on which one of a member's likes may be read anyway (step 2 is free then). */
  const likeDays = new Map<string, Set<number>>();
  const markDays = (m: string, run: number, end: number) => {
    let set = likeDays.get(m);
    if (!set) likeDays.set(m, (set = new Set()));
    for (let d = dayOf(runs[run]!); d <= end; d++) set.add(d);
  };
  const quiet = new Map<string, Window[]>();
  /**
   * Step 5: per member, the reads of their list from the top that step 1 forces: from run `run` to run
   * `last` (`run:last` keys), and the forced likes' posts with their windows.
   */
  const forced = new Map<string, { reads: Map<string, { run: number; last: number }>; likes: Map<string, [number, number]> }>();
  const linkedOnly: Array<{ m: string; u: string; run: number; cands: TrackedInfo[]; k: number }> = [];

  // Steps 1-3: each member, interval by interval.
  sc.members.forEach((member, i) => {
    const m = member.id;
    const link = sc.linkTime(i);
    if (link > last) return;
    const likes = s.likesByUser.get(m) ?? [];
    let at = 0;
    for (let k = 0; k < K; k++) {
      const from = at;
      while (at < likes.length && likes[at]!.at <= runs[k]!) at++;
      const cands = byInterval[k]!.filter((p) => p.createdAt <= runs[k]! && m !== p.author && m !== p.submitter && !p.memberLikers.has(m) && link <= p.windowEnd && Math.max(runs[k]!, p.submittedAt, link) <= p.windowEnd && (p.windowEnd > last || runs[runAtOrAfter(Math.max(runs[k]!, p.submittedAt, link))]! <= p.windowEnd));
      if (!cands.length) continue;
      const run = runAtOrAfter(Math.max(runs[k]!, link));
      const open = cands.filter((p) => !p.postSide);
      for (let j = from; j < at; j++) {
        const { id: u, at: tau } = likes[j]!;
        const viaOpen = open.filter((p) => p.createdAt <= tau && swappable(p, k, u));
        // A post X hides from m's listing is not billed by reading it, yet the read still tells the
        // worlds apart (the candidate would be listed there): nothing to price, only a read that day.
        const listed = shown(u, m);
        if (viaOpen.length && !listed) {
          markDays(m, run, dayOf(Math.min(...viaOpen.map((p) => p.deadline))));
          continue;
        }
        if (viaOpen.length) {
          const by = Math.min(...viaOpen.map((p) => p.deadline));
          const end = dayOf(by);
          // Only m's own list can show it when u's author is not a member: a read from the top is due from `run` to `by`.
          const only = pageMin > 0 && !authorIsMember(u) && by <= last && shown(u, m);
          add(likeReqs, `${u}|${m}`, { run, end, part: 'likes', ...(only ? { of: m } : {}) });
          if (!authorIsMember(u)) add(postReqs, u, { run, end, part: 'likes', ...(only ? { of: m } : {}) });
          if (only) {
            let f = forced.get(m);
            if (!f) forced.set(m, (f = { reads: new Map(), likes: new Map() }));
            const lastRun = firstIndex(K, (r) => runs[r]! >= by);
            f.reads.set(`${run}:${lastRun}`, { run, last: lastRun });
            f.likes.set(u, [run, lastRun]);
          }
          markDays(m, run, end);
          continue;
        }
        const viaLinked = cands.filter((p) => p.postSide && p.createdAt <= tau && swappable(p, k, u));
        if (viaLinked.length) {
          if (listed) linkedOnly.push({ m, u, run, cands: viaLinked, k });
          markDays(m, run, dayOf(Math.max(...viaLinked.map((p) => p.windowEnd))));
        }
      }
      if (open.length && runs[k]! >= link) add(quiet, m, { run, end: dayOf(Math.min(...open.map((p) => p.deadline))), part: 'quiet' });
    }
  });

  // Step 4: the engagement itself.
  for (const { run, e, post } of found) {
    const p = tracked.get(e.tweetId);
    if (!p) continue;
    const end = dayOf(p.deadline);
    if (e.kind === 'like') {
      // Nothing can show a like of a post whose likers cannot be listed and that X hides from the member.
      if (!p.postSide && !shown(p.id, e.userId)) continue;
      add(likeReqs, `${p.id}|${e.userId}`, { run, end, part: 'engagement' });
      if (!p.postSide) add(postReqs, p.id, { run, end, part: 'engagement' });
      markDays(e.userId, run, end);
    } else if ((e.kind === 'reply' || e.kind === 'quote') && post) {
      add(postReqs, post, { run, end, part: 'engagement' });
    }
  }

  const charge = (run: number, usd: number, part: keyof Parts) => {
    out.perRun[run]! += usd;
    out.parts[part] += usd;
    out.perRunParts[run]![part] += usd;
  };
  // Step 5: the page minimum. Each read from the top that step 1 forces returns the head of the list.
  for (const [m, { reads }] of forced) {
    const likes = s.likesByUser.get(m) ?? [];
    for (const { run, last: lastRun } of reads.values()) {
      const end = dayOf(runs[lastRun]!);
      for (const u of pageHead(likes, runs[run]!, runs[lastRun]!, pageMin, (id) => shown(id, m))) {
        add(likeReqs, `${u}|${m}`, { run, end, part: 'pageMinimum', of: m });
        add(postReqs, u, { run, end, part: 'pageMinimum', of: m });
      }
    }
  }
  /** Like objects and posts step 3 prices. */
  const stepThree = new Set(linkedOnly.flatMap((l) => [`${l.u}|${l.m}`, l.u]));
  const readPlans = pageMin > 0 ? memberReads() : [];

  /**
   * Step 5, member by member: the likes of a member's list that nothing but that member's forced reads
   * prices (like object and post: no other member liked the post, no other step requires either)
   * leave the groups and are priced by the cheapest runs those reads can happen at (cheapestReads:
   * every page they return, every forced like once).
   */
  function memberReads(): Array<(a: number, b: number) => number> {
    const plans: Array<(a: number, b: number) => number> = [];
    for (const [m, f] of forced) {
      const likes = s.likesByUser.get(m) ?? [];
      const mine = (ws: Window[] | undefined) => (ws ?? []).every((w) => w.of === m);
      const priced = likes.map(({ id: u }) => {
        const own = shown(u, m) && !tracked.has(u) && !stepThree.has(u) && !stepThree.has(`${u}|${m}`) && mine(likeReqs.get(`${u}|${m}`)) && mine(postReqs.get(u)) && !(s.likesByTweet.get(u) ?? []).some((l) => l.id !== m && index.has(l.id));
        return own ? X_PRICES.like + X_PRICES.post : 0;
      });
      likes.forEach(({ id: u }, x) => {
        if (!priced[x]) return;
        likeReqs.delete(`${u}|${m}`);
        postReqs.delete(u);
      });
      const sums = (keep: (x: number) => boolean) => {
        const out = [0];
        priced.forEach((usd, x) => out.push(out[x]! + (keep(x) ? usd : 0)));
        return (from: number, to: number) => (to > from ? out[to]! - out[from]! : 0);
      };
      const usd = sums(() => true);
      const made = (r: number) => firstIndex(likes.length, (x) => likes[x]!.at > runs[r]!);
      const windows = [...f.reads.values()].map((r): [number, number] => [r.run, r.last]);
      const plan = (a: number, b: number) => {
        const inside = ([first, lastRun]: readonly [number, number]) => dayOf(runs[first]!) >= a && dayOf(runs[lastRun]!) <= b;
        return cheapestReads({
          windows: windows.filter(inside), made, day: (r) => dayOf(runs[r]!), pageMin, usd,
          forcedUsd: sums((x) => { const w = f.likes.get(likes[x]!.id); return !!w && inside(w); }),
        });
      };
      // Each forced like at the run that made it due (as the groups attribute them), the rest at its read.
      likes.forEach(({ id: u }, x) => {
        const w = f.likes.get(u);
        if (w && priced[x]) charge(w[0], priced[x]!, 'likes');
      });
      for (const { run, extra } of plan(-Infinity, Infinity)) charge(run, extra, 'pageMinimum');
      plans.push((a, b) => plan(a, b).reduce((t, r) => t + r.due + r.extra, 0));
    }
    return plans;
  }

  /** Each object (or member observation) with the windows it must be billed in, and its price on a day. */
  const groups: Array<{ windows: Window[]; price: (day: number) => number }> = [];
  for (const windows of likeReqs.values()) groups.push({ windows, price: () => X_PRICES.like });
  for (const windows of postReqs.values()) groups.push({ windows, price: () => X_PRICES.post });

  // Step 3: posts whose likers can be listed, against the member likes they would spare.
  const postAssigned = new Set<string>();
  const spared = new Map<string, { p: TrackedInfo; k: number; w: number; run: number }>();
  for (const l of linkedOnly) {
    let r = likeReqs.has(`${l.u}|${l.m}`) ? 0 : X_PRICES.like;
    if (!postReqs.has(l.u) && !postAssigned.has(l.u) && !authorIsMember(l.u)) {
      postAssigned.add(l.u);
      r += X_PRICES.post;
    }
    for (const p of l.cands) {
      const key = `${p.id}:${l.k}`;
      const sp = spared.get(key) ?? { p, k: l.k, w: 0, run: l.run };
      sp.w += r / l.cands.length;
      sp.run = Math.min(sp.run, l.run);
      spared.set(key, sp);
    }
  }
  const outsiderMet = new Set<string>();
  for (const sp of spared.values()) {
    let c = 0;
    for (const o of sp.p.outsiders.get(sp.k)!) {
      c += X_PRICES.like;
      if (!outsiderMet.has(o)) {
        outsiderMet.add(o);
        c += X_PRICES.user;
      }
    }
    charge(sp.run, Math.min(c, sp.w), 'linkedAuthors');
  }

  // Step 2: members observed in quiet intervals, on days no read of their likes shows them anyway.
  const trackedIds = new Set(tracked.keys());
  const privatePost = (u: string, m: string) => !trackedIds.has(u) && !authorIsMember(u) && (s.likesByTweet.get(u) ?? []).every((l) => l.id === m || !index.has(l.id));
  for (const [m, windows] of quiet) {
    const busy = likeDays.get(m) ?? new Set<number>();
    const left = windows.filter((w) => {
      for (let d = dayOf(runs[w.run]!); d <= w.end; d++) if (busy.has(d)) return false;
      return true;
    });
    const likes = s.likesByUser.get(m) ?? [];
    if (left.length) {
      groups.push({
        windows: left,
        price: (day) => {
          let price: number = X_PRICES.user;
          for (let j = 0; j < K; j++) {
            if (dayOf(runs[j]!) !== day) continue;
            const top = newestBy(likes, runs[j]!, (u) => shown(u, m));
            price = Math.min(price, top === undefined ? 0 : X_PRICES.like + (privatePost(top, m) ? X_PRICES.post : 0));
          }
          return price;
        },
      });
    }
  }
  for (const g of groups) {
    // Steps 1-4 as without the page minimum; the days step 5 adds on top are its part.
    const base = g.windows.filter((w) => w.part !== 'pageMinimum');
    const chosen = stab(base, runs);
    for (const w of chosen) charge(w.run, g.price(dayOf(runs[w.run]!)), w.part);
    if (base.length === g.windows.length) continue;
    const extra = stab(g.windows, runs).length - chosen.length;
    const paid = new Set(chosen.map((w) => dayOf(runs[w.run]!)));
    const unpaid = stab(g.windows.filter((w) => w.part === 'pageMinimum' && !paid.has(w.end)), runs);
    for (const w of unpaid.slice(0, extra)) charge(w.run, g.price(w.end), 'pageMinimum');
  }

  out.within = (from, to) => {
    const [a, b] = [dayOf(Date.parse(from)), dayOf(Date.parse(to))];
    let usd = 0;
    for (const g of groups) {
      for (const w of stab(g.windows.filter((x) => dayOf(runs[x.run]!) >= a && x.end <= b), runs)) usd += g.price(dayOf(runs[w.run]!));
    }
    for (const plan of readPlans) usd += plan(a, b);
    return round(usd);
  };

  for (let j = 0; j < K; j++) {
    const usd = out.perRun[j]!;
    out.total += usd;
    const d = isoDay(dayOf(runs[j]!));
    out.perDay[d] = (out.perDay[d] ?? 0) + usd;
  }
  out.total = round(out.total);
  out.perRun = out.perRun.map(round);
  out.perDay = Object.fromEntries(Object.entries(out.perDay).map(([d, v]) => [d, round(v)]));
  const roundParts = (p: Parts): Parts => ({ likes: round(p.likes), quiet: round(p.quiet), linkedAuthors: round(p.linkedAuthors), engagement: round(p.engagement), pageMinimum: round(p.pageMinimum) });
  out.parts = roundParts(out.parts);
  out.perRunParts = out.perRunParts.map(roundParts);
  return out;
}

/**
 * The fewest UTC days that meet every window (each window: from its run's day to `end`), chosen
 * greedily at the latest-starting unmet window's first day (optimal for intervals on a line); returns
 * the window that opened each chosen day.
 */
export function stab(windows: Window[], runs: number[]): Window[] {
  const sorted = [...windows].sort((a, b) => runs[b.run]! - runs[a.run]!);
  const chosen: Window[] = [];
  const days: number[] = [];
  for (const w of sorted) {
    const start = dayOf(runs[w.run]!);
    if (days.some((d) => d >= start && d <= w.end)) continue;
    days.push(start);
    chosen.push(w);
  }
  return chosen;
}

/**
 * The post a member liked last at or before t (likes in like order) that X lists (a hidden one is
 * skipped by the read, which shows the next one down, or nothing).
 */
function newestBy(likes: Array<{ id: string; at: number }>, t: number, shown: (post: string) => boolean): string | undefined {
  for (let i = firstIndex(likes.length, (j) => likes[j]!.at > t) - 1; i >= 0; i--) if (shown(likes[i]!.id)) return likes[i]!.id;
  return undefined;
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;
