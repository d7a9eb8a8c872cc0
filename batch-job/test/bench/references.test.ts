import { createXClientFactory, SANDBOX_CREDENTIALS } from '@engagement-tracker/core';
import { snowflake, startXDouble, utcDay, type XUser } from '@engagement-tracker/sandbox/x';
import { describe, expect, it } from 'vitest';
import { cheapestReads, pageHead } from '../../bench/page-minimum';
import { References } from '../../bench/references';
import { billedFor, bound, community, end, HOUR, MIN, readEverything, run, t0 } from './bound-community';

describe('noOracle, the lower bound for strategies that cannot know who liked what', () => {
  it('equals what the best strategy is billed when an outsider liked a post whose likers cannot be listed', async () => {
    const { sc, members, post, untracked, like } = community({ memberNames: ['submitter', 'fan', 'busy'], author: 'brand' });
    const [submitter, fan, busy] = members as [XUser, XUser, XUser];
    like('2000000001', post.id, t0 + 10 * MIN); // an outsider: the post's count moves, nobody can say by whom
    like(fan, post.id, t0 + 20 * MIN, true);
    for (const k of [30, 40, 50]) like(busy, untracked(), t0 + k * MIN);
    const { noOracle } = bound(sc);
    // busy's three likes could each have been the like of the post: every one must be read (post +
    // like object, $0.006); fan's like is shown ($0.006); the submitter cannot earn on it.
    expect(noOracle.parts).toEqual({ likes: 0.018, quiet: 0, linkedAuthors: 0, engagement: 0.006, pageMinimum: 0 });
    expect(noOracle.total).toBe(0.024);
    expect(noOracle.perRun).toEqual([0.024]);
    expect(noOracle.perDay).toEqual({ '2026-11-24': 0.024 });
    // The best such strategy: every member's own likes, one page each (nothing else tells them apart).
    const paid = await billedFor(sc, async (c) => {
      for (const m of [submitter, fan, busy]) await c.user(m).v2.userLikedTweets(m.id, { max_results: 10 });
    });
    expect(paid).toBe(noOracle.total);
  });

  it('takes the post side when the post is by a linked member and its likers are cheaper than the members\' likes', async () => {
    const build = (busyLikes: number) => {
      const c = community({ memberNames: ['submitter', 'author', 'busy'], author: 1 });
      c.like('2000000001', c.post.id, t0 + 10 * MIN);
      for (let k = 0; k < busyLikes; k++) c.like(c.members[2]!, c.untracked(), t0 + (20 + k) * MIN);
      return c;
    };
    // 30 untracked likes ($0.006 each on the member side) against one outsider liker ($0.01 user + $0.001 like).
    const many = build(30);
    const a = bound(many.sc).noOracle;
    expect(a.parts).toEqual({ likes: 0, quiet: 0, linkedAuthors: 0.011, engagement: 0, pageMinimum: 0 });
    const paid = await billedFor(many.sc, async (c) => {
      await c.user(many.members[1]!).v2.tweetLikedBy(many.post.id, { max_results: 10 });
    });
    expect(paid).toBe(a.total);
    // One untracked like: the member side is cheaper, and that is what the bound takes.
    const one = build(1);
    const b = bound(one.sc).noOracle;
    expect(b.total).toBe(0.006);
    const paidOne = await billedFor(one.sc, async (c) => {
      await c.user(one.members[2]!).v2.userLikedTweets(one.members[2]!.id, { max_results: 10 });
    });
    expect(paidOne).toBe(b.total);
  });

  it('charges nothing for quiet or busy members when no outsider moved the post\'s count (the members\' likes explain it)', () => {
    const build = (outsider: boolean) => {
      const c = community({ memberNames: ['submitter', 'fan', 'quiet', 'busy'], author: 'brand' });
      const [, fan, quiet, busy] = c.members as [XUser, XUser, XUser, XUser];
      c.like(quiet, c.untracked(3 * HOUR), t0 - 2 * HOUR); // an old like, before the post
      c.like(fan, c.post.id, t0 + 20 * MIN, true);
      for (const k of [30, 40, 50]) c.like(busy, c.untracked(), t0 + k * MIN);
      if (outsider) c.like('2000000001', c.post.id, t0 + 10 * MIN);
      return c.sc;
    };
    const none = bound(build(false));
    // Only fan's like must be shown: the same as the lower bound.
    expect(none.noOracle.total).toBe(0.006);
    expect(none.noOracle.total).toBe(none.lowerBound);
    // One outsider like and every other member is in doubt: busy's likes must be read, and quiet must
    // be observed (its newest like, a post nobody else liked: $0.006, under a $0.01 lookup).
    const one = bound(build(true)).noOracle;
    expect(one.parts).toEqual({ likes: 0.018, quiet: 0.006, linkedAuthors: 0, engagement: 0.006, pageMinimum: 0 });
  });

  it('bills a post several members must read once when their reads can share a UTC day', () => {
    const c = community({ memberNames: ['submitter', 'a', 'b'], author: 'brand' });
    const [, a, b] = c.members as [XUser, XUser, XUser];
    const shared = c.untracked();
    const midnight = Date.UTC(2026, 10, 25);
    c.like('2000000001', c.post.id, midnight - 50 * MIN);
    c.like('2000000002', c.post.id, midnight + 10 * MIN);
    c.like(a, shared, midnight - 40 * MIN);
    c.like(b, shared, midnight + 20 * MIN);
    const runs = [midnight - 30 * MIN, midnight + 30 * MIN];
    const both = bound(c.sc, runs).noOracle;
    // a's like may be read until the post leaves the window (the next day), so a read after midnight
    // shows both: two like objects and the post once, attributed to the run after midnight.
    expect(both.parts.likes).toBe(0.007);
    expect(both.perRun).toEqual([0.001, 0.006]);
    expect(both.perDay).toEqual({ '2026-11-24': 0.001, '2026-11-25': 0.006 });
    // On its own, the first day must pay nothing (a's like may wait), the second b's like and the post.
    expect(both.within('2026-11-24', '2026-11-24')).toBe(0);
    expect(both.within('2026-11-25', '2026-11-25')).toBe(0.006);
    expect(both.within('2026-11-24', '2026-11-25')).toBe(0.007);
  });

  it('wants a like read by the first deadline among the posts it could have been, so a post two reads need may be billed on two days', () => {
    const c = community({ memberNames: ['submitter', 'a', 'b'], author: 'brand' });
    const [, a, b] = c.members as [XUser, XUser, XUser];
    const midnight = Date.UTC(2026, 10, 25);
    // A second tracked post whose window ends at 23:00:30, right after the 23:00 run.
    const early = { id: snowflake(midnight - 25 * HOUR), authorId: '900000001', createdAt: midnight - 25 * HOUR, text: 'tracked early' };
    c.sc.schedule({ at: early.createdAt, userId: early.authorId, tweetId: early.id, kind: 'post', member: false, text: early.text });
    c.sc.tracked.push({ tweet: early, submitter: 0, submittedAt: midnight - 25 * HOUR + 30_000 });
    const shared = c.untracked();
    c.like('2000000001', early.id, midnight - 70 * MIN);
    c.like('2000000003', c.post.id, midnight - 68 * MIN); // the other post, tracked until the next day, too
    c.like('2000000002', c.post.id, midnight + 10 * MIN);
    c.like(a, shared, midnight - 65 * MIN); // could have been either post's like: read by the 23:00 run
    c.like(b, shared, midnight + 20 * MIN); // could have been the other's: read after midnight
    const got = bound(c.sc, [midnight - HOUR, midnight + 30 * MIN]).noOracle;
    // shared, billed on both days with each like object; and a, quiet after midnight while the other
    // post may still be its like, must be observed then: its newest like, a post b liked too ($0.001).
    expect(got.parts).toEqual({ likes: 0.012, quiet: 0.001, linkedAuthors: 0, engagement: 0, pageMinimum: 0 });
    expect(got.perDay).toEqual({ '2026-11-24': 0.006, '2026-11-25': 0.007 });
  });

  describe('page minimum: a read of a member\'s likes from the top returns at least 10', () => {
    /**
     * busy likes an untracked post at 06:30, after the tracked post (whose likers cannot be listed) got
     * an outsider's like: that like must be read by 08:00, the last run while the post is tracked (the
     * next run, the next day, comes after it left the window). The read is from the top of busy's
     * likes, so it returns the likes busy made the day before too, up to 10 in all.
     */
    const build = (o: { older: number; newer?: number; deleteNth?: number }) => {
      const c = community({ memberNames: ['submitter', 'busy'], author: 'brand' });
      const busy = c.members[1]!;
      const older = Array.from({ length: o.older }, () => c.untracked(30 * HOUR));
      older.forEach((id, k) => c.like(busy, id, t0 - 10 * HOUR + k * MIN)); // 11-23 from 20:00
      c.like('2000000001', c.post.id, t0 + 10 * MIN);
      for (let k = 0; k < (o.newer ?? 1); k++) c.like(busy, c.untracked(), t0 + 30 * MIN + k * 1000);
      if (o.deleteNth !== undefined) c.sc.state.deleteTweet(older[o.older - 1 - o.deleteNth]!);
      return { ...c, busy };
    };
    const runs = [run, end + 20 * HOUR];
    const firstPage = (c: ReturnType<typeof build>) =>
      billedFor(c.sc, async (x) => {
        await x.user(c.busy).v2.userLikedTweets(c.busy.id, { max_results: 10 });
      });

    it('is exactly what that read\'s first page bills: the like it needs and the 9 newest before it', async () => {
      const c = build({ older: 12 });
      const { noOracle, withoutPageMinimum } = bound(c.sc, runs);
      // The like it needs ($0.006: post and like object), and 9 likes of the day before, each a post
      // nobody else liked and a like object: 9 × $0.006.
      expect(withoutPageMinimum.total).toBe(0.006);
      expect(noOracle.parts).toEqual({ likes: 0.006, quiet: 0, linkedAuthors: 0, engagement: 0, pageMinimum: 0.054 });
      expect(noOracle.perRun).toEqual([0.06, 0]);
      expect(noOracle.within('2026-11-24', '2026-11-24')).toBe(0.06);
      expect(await firstPage(c)).toBe(noOracle.total);
    });

    it('counts only the likes there are when the member has fewer than 10', async () => {
      const c = build({ older: 4 });
      const { noOracle } = bound(c.sc, runs);
      expect(noOracle.parts.pageMinimum).toBe(0.024);
      expect(await firstPage(c)).toBe(noOracle.total);
    });

    it('claims nothing in place of a post X may hide, so it stays below the bill', async () => {
      const c = build({ older: 12, deleteNth: 2 });
      const { noOracle } = bound(c.sc, runs);
      // The deleted post took a place in the count; the double lists the 10th newest instead.
      expect(noOracle.parts.pageMinimum).toBe(0.048);
      expect(await firstPage(c)).toBe(0.06);
    });

    it('adds nothing when the member made 10 likes since: the page holds only likes that must be read anyway', async () => {
      const c = build({ older: 12, newer: 10 });
      const { noOracle, withoutPageMinimum } = bound(c.sc, runs);
      expect(noOracle.parts.pageMinimum).toBe(0);
      expect(noOracle.total).toBe(withoutPageMinimum.total);
      expect(noOracle.total).toBe(0.06);
      expect(await firstPage(c)).toBe(noOracle.total);
    });

    it('bills the same likes again on the next UTC day when a read is forced on each (what re-reads cost)', async () => {
      const c = community({ memberNames: ['submitter', 'busy'], author: 'brand' });
      const busy = c.members[1]!;
      const day1 = Date.UTC(2026, 10, 24, 7);
      const day2 = day1 + 24 * HOUR;
      // Two brand posts, each leaving the window 1 minute after a 07:00 run, each liked by an outsider
      // that night: busy's like at 06:30 could be either's, so busy's likes are read at 07:00 both days.
      const tracked = (createdAt: number) => {
        const p = { id: snowflake(createdAt), authorId: '900000001', createdAt, text: 'tracked' };
        c.sc.schedule({ at: createdAt, userId: p.authorId, tweetId: p.id, kind: 'post', member: false, text: p.text });
        c.sc.tracked.push({ tweet: p, submitter: 0, submittedAt: createdAt + MIN });
        return p;
      };
      const [a, b] = [tracked(day1 - 24 * HOUR), tracked(day1 + 30 * MIN)];
      // 12 older likes made before either post existed, then one like a day.
      for (let k = 0; k < 12; k++) c.like(busy, c.untracked(3 * 24 * HOUR), day1 - 30 * HOUR + k * MIN);
      c.like('2000000001', a.id, day1 - 50 * MIN);
      c.like(busy, c.untracked(2 * HOUR), day1 - 30 * MIN);
      c.like('2000000002', b.id, day2 - 50 * MIN);
      c.like(busy, c.untracked(-20 * HOUR), day2 - 30 * MIN);
      const runs = [day1, day2, day2 + 2 * HOUR];
      c.sc.seal();
      c.sc.state.accessTokenTtlMs = 7 * 24 * HOUR;
      const refs = new References(c.sc);
      const x = await startXDouble({ state: c.sc.state });
      try {
        const factory = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, bearerToken: SANDBOX_CREDENTIALS.TWITTER_BEARER_TOKEN, timeoutMs: 10_000 });
        const client = factory.user(c.sc.state.issueTokens(busy.id).accessToken);
        for (const t of runs) {
          c.sc.advanceTo(t);
          refs.step(t);
          // The cheapest such strategy: one first page at each forced read, nothing else.
          if (t !== runs[2]) await client.v2.userLikedTweets(busy.id, { max_results: 10 });
        }
        const got = refs.noOracle();
        // Each day: the day's like and the 9 newest before it, posts nobody else liked (10 × $0.006);
        // the second day's page holds the first day's like and 8 of the older ones again.
        expect(refs.noOracle(0).total).toBe(0.012);
        expect(got.parts).toEqual({ likes: 0.012, quiet: 0, linkedAuthors: 0, engagement: 0, pageMinimum: 0.108 });
        expect(got.perDay).toEqual({ '2026-11-24': 0.06, '2026-11-25': 0.06 });
        expect(got.within('2026-11-25', '2026-11-25')).toBe(0.06);
        expect(x.billing.summary('2026-11-24').costUsd).toBe(0.06);
        expect(x.billing.summary('2026-11-25').costUsd).toBe(0.06);
      } finally {
        await x.close();
      }
    });

    it('cheapestReads: the runs a member\'s forced reads cost least at, each page billed on its day and each forced like once', () => {
      // Runs 0 and 1 on one day, run 2 the next; 10, 15 and 40 likes made by them; every like priced $1,
      // likes 12 and 25 forced. One read in runs 0-1 and one at run 2.
      const made = [10, 15, 40];
      const plan = (windows: Array<[number, number]>) =>
        cheapestReads({
          windows, made: (r) => made[r]!, day: (r) => (r < 2 ? 0 : 1), pageMin: 10,
          usd: (from, to) => Math.max(0, to - from), forcedUsd: (from, to) => [12, 25].filter((x) => x >= from && x < to).length,
        });
      const reads = plan([[0, 1], [2, 2]]);
      // Run 1's page (likes 5-14, 12 among them), then run 2's (30-39) and like 25, forced and below it:
      // 10 + 11. Reading at run 0 instead would leave like 12 below run 2's page too: 10 + 12.
      expect(reads).toEqual([{ run: 1, due: 1, extra: 9 }, { run: 2, due: 1, extra: 10 }]);
      // Two reads the same day: the second bills only what was made since the first (10-14).
      expect(plan([[0, 0], [1, 1]])).toEqual([{ run: 0, due: 0, extra: 10 }, { run: 1, due: 1, extra: 4 }]);
      expect(plan([])).toEqual([]);
    });

    it('pageHead: likes made by the read\'s earliest time, among the newest 10 made by its latest, hidden posts holding their place', () => {
      const likes = Array.from({ length: 15 }, (_, k) => ({ id: `p${k}`, at: k * 100 }));
      // From 1,000 to 1,200: p0-p10 are listed at the read; p3-p12 are the newest 10 by 1,200.
      expect(pageHead(likes, 1_000, 1_200, 10, () => true)).toEqual(['p10', 'p9', 'p8', 'p7', 'p6', 'p5', 'p4', 'p3']);
      expect(pageHead(likes, 1_000, 1_200, 10, (id) => id !== 'p9')).toEqual(['p10', 'p8', 'p7', 'p6', 'p5', 'p4', 'p3']);
      expect(pageHead(likes.slice(0, 4), 1_000, 1_200, 10, () => true)).toEqual(['p3', 'p2', 'p1', 'p0']);
      expect(pageHead(likes, 1_000, 2_000, 10, () => true)).toEqual(['p10', 'p9', 'p8', 'p7', 'p6', 'p5']);
      expect(pageHead(likes, 1_000, 1_200, 0, () => true)).toEqual([]);
    });
  });

  it('is never above what the double bills a strategy that reads everything new from every member, run after run', async () => {
    // A small realistic community over two days, run every hour: each run reads every linked member's
    // new likes (pages of 10 down to the newest like seen before) and new posts with their own token.
    // That strategy finds everything without an oracle, so the bound must not exceed its bill.
    const { refs, billed, billedOn, runs } = await readEverything(() => true);
    const b = refs.noOracle();
    expect(b.parts.likes).toBeGreaterThan(0);
    expect(b.parts.pageMinimum).toBeGreaterThan(0);
    expect(b.total).toBeGreaterThan(refs.noOracle(0).total);
    expect(b.total).toBeLessThanOrEqual(billed);
    for (const day of new Set(runs.map(utcDay))) expect(b.within(day, day)).toBeLessThanOrEqual(billedOn(day));
  }, 600_000);
});
