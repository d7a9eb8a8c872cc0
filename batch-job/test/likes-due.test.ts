import { describe, expect, it } from 'vitest';
import { simSuite } from './harness';

const suite = simSuite();
const HOUR = 3_600_000;
const MIDNIGHT = Date.UTC(2026, 10, 25);
/** The scenario's posts are created over the day before 20:00 UTC, so they leave the window the next day. */
const END = MIDNIGHT - 4 * HOUR;
/** Runs every hour at :30 (the batch's schedule). */
const nextRunAt = (after: number) => Math.ceil((after - 30 * 60_000) / HOUR) * HOUR + 30 * 60_000;

type Sim = Awaited<ReturnType<typeof suite.start>>;

/**
 * A community on the X double: posts submitted through the day, then the evening before MIDNIGHT every member
 * read (first scans), then quiet. `before` acts on X first (what it returns is `given`). Each run must succeed.
 */
async function eveningRead<T>(before: (sim: Sim) => T) {
  const sim = await suite.start({ seed: 211, members: 30, tweets: 24, memberRates: { like: 4, retweet: 1, reply: 1, quote: 0.5 }, outsiderRates: { like: 20, retweet: 2, reply: 2, quote: 1 }, quietAfterEnd: true, end: END });
  const given = before(sim);
  const run = async (at: number) => {
    sim.sc.advanceTo(at);
    const out = await sim.run({ nextRunAt });
    expect(out.status).toBe('succeeded');
    return out;
  };
  for (let t = sim.sc.now() + HOUR; t <= END; t += HOUR) await sim.advanceTo(t);
  for (let t = END + 30 * 60_000; t < MIDNIGHT; t += HOUR) await run(t);
  const members = new Set(sim.sc.members.map((m) => m.id));
  /** When each tracked post leaves the window. */
  const leaves = new Map<string, number>();
  for (const p of sim.sc.tracked) leaves.set(p.tweet.id, (await sim.stores.tweets.get(p.tweet.id))!.submittedAt + 24 * HOUR);
  return { sim, run, members, leaves, given };
}

describe('a member with a few new likes waits until a post they may have liked comes within the due horizon', () => {
  it('is not read while the post they liked is further than 3 hours from leaving, and is read (and awarded) once it leaves within 3 hours, so up to two skipped runs lose nothing', async () => {
    const { sim, run, members, leaves } = await eveningRead(() => null);
    // P: a post by an outside account leaving the window in the late afternoon
    const p = [...leaves].find(([id, end]) => !members.has(sim.sc.state.mustTweet(id).authorId) && end >= MIDNIGHT + 15 * HOUR + 40 * 60_000 && end < MIDNIGHT + 23 * HOUR);
    expect(p).toBeDefined();
    const [pId, pEnd] = p!;
    const truth = sim.sc.truth();
    const liker = sim.sc.members.find((m) => !truth.has(`${pId}|${m.id}|like`))!;
    const likesReadOf = (from: number) => sim.x.requestsTo('liked_tweets').filter((r) => r.at >= from && r.path.includes(`/users/${liker.id}/`)).map((r) => r.at);

    // the morning: each member's daily lookup (free re-checks after it)
    let t = MIDNIGHT + 30 * 60_000;
    for (; t <= MIDNIGHT + 9 * HOUR + 30 * 60_000; t += HOUR) await run(t);
    // the member likes P after the 09:30 run: one new like, fewer than a page, so they wait
    const likedAt = t - 20 * 60_000;
    sim.sc.advanceTo(likedAt);
    sim.sc.state.like(liker.id, pId);
    const awardKey = `${pId}|${liker.id}|like`;
    for (; t + 3 * HOUR < pEnd; t += HOUR) {
      await run(t);
      expect(likesReadOf(likedAt)).toEqual([]);
      expect((await sim.awarded()).has(awardKey)).toBe(false);
    }
    // the first run with P leaving within the horizon (3 h) reads their likes and awards the like, two runs ahead of P's end
    expect(t + 2 * HOUR).toBeLessThan(pEnd);
    await run(t);
    expect(likesReadOf(likedAt)).toEqual([t]);
    expect((await sim.awarded()).has(awardKey)).toBe(true);
  });
});

describe('a like hidden from the like count by an unlike before a lookup', () => {
  it('is still read and awarded before its post leaves the window once the count moves again', async () => {
    // an untracked post the liker liked long ago (their read yesterday counts it)
    const { sim, run, members, leaves, given } = await eveningRead((sim) => {
      const liker = sim.sc.members[0]!;
      const outsider = sim.sc.state.addUser({ username: 'outsider' });
      const old = sim.sc.state.addTweet({ authorId: outsider.id, text: 'an old untracked post' });
      sim.sc.state.like(liker.id, old.id);
      return { liker, outsider, old };
    });
    const { liker, outsider, old } = given;
    // P: a post by an outside account the liker has not liked, leaving the window in the afternoon
    const truth = sim.sc.truth();
    const p = [...leaves].find(([id, end]) => !members.has(sim.sc.state.mustTweet(id).authorId) && !truth.has(`${id}|${liker.id}|like`) && end > MIDNIGHT + 13 * HOUR && end < MIDNIGHT + 17 * HOUR);
    expect(p).toBeDefined();
    const [pId, pEnd] = p!;
    // Z: a post leaving after P, whose likes move later (so the runs after that look members up again)
    const z = [...leaves].find(([, end]) => end > pEnd + HOUR);
    expect(z).toBeDefined();
    const awardKey = `${pId}|${liker.id}|like`;

    // the morning: every member's daily lookup, then free re-checks every run
    let t = MIDNIGHT + 30 * 60_000;
    for (; t < MIDNIGHT + 9 * HOUR; t += HOUR) await run(t);
    // 09:10: the liker likes P and unlikes the old post: the 09:30 lookup shows the count their last read saw
    sim.sc.advanceTo(MIDNIGHT + 9 * HOUR + 10 * 60_000);
    sim.sc.state.like(liker.id, pId);
    sim.sc.state.unlike(liker.id, old.id);
    await run(t);
    t += HOUR;
    // 10:10: they like another untracked post: their count moves again (one new like, fewer than a page); 10:15:
    // an outsider likes Z
    sim.sc.advanceTo(MIDNIGHT + 10 * HOUR + 10 * 60_000);
    sim.sc.state.like(liker.id, sim.sc.state.addTweet({ authorId: outsider.id, text: 'another untracked post' }).id);
    sim.sc.advanceTo(MIDNIGHT + 10 * HOUR + 15 * 60_000);
    sim.sc.state.like(outsider.id, z![0]);
    // runs up to P's end: P's like count moved after the liker's last read (yesterday), so their likes are read
    // before it leaves, though the lookup after P moved showed the count of that read
    for (; t < pEnd; t += HOUR) await run(t);
    expect((await sim.awarded()).has(awardKey)).toBe(true);
  });
});
