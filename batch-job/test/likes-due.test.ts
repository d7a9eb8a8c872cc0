import { describe, expect, it } from 'vitest';
import { simSuite } from './harness';

const suite = simSuite();
const HOUR = 3_600_000;
const MIDNIGHT = Date.UTC(2026, 10, 25);
/** The scenario's posts are created over the day before 20:00 UTC, so they leave the window the next day. */
const END = MIDNIGHT - 4 * HOUR;
/** Runs every hour at :30 (the batch's schedule). */
const nextRunAt = (after: number) => Math.ceil((after - 30 * 60_000) / HOUR) * HOUR + 30 * 60_000;

describe('a member with a few new likes waits until a post they may have liked comes within the due horizon', () => {
  it('is not read while every post that moved before their new like leaves, and is read (and awarded) once the post leaves within 3 hours, so up to two skipped runs lose nothing', async () => {
    const sim = await suite.start({ seed: 211, members: 30, tweets: 24, memberRates: { like: 4, retweet: 1, reply: 1, quote: 0.5 }, outsiderRates: { like: 20, retweet: 2, reply: 2, quote: 1 }, quietAfterEnd: true, end: END });
    const members = new Set(sim.sc.members.map((m) => m.id));
    const run = async (at: number) => {
      sim.sc.advanceTo(at);
      const out = await sim.run({ nextRunAt });
      expect(out.status).toBe('succeeded');
      return out;
    };
    // posts submitted through the day (each recorded within the hour it was submitted), then the evening
    // before: every member read (first scans), then quiet
    for (let t = sim.sc.now() + HOUR; t <= END; t += HOUR) await sim.advanceTo(t);
    for (let t = END + 30 * 60_000; t < MIDNIGHT; t += HOUR) await run(t);

    // Q and P: posts by outside accounts, Q leaving the window in the early afternoon, P 3 hours or more after it
    const leaves = new Map<string, number>();
    for (const p of sim.sc.tracked) if (!members.has(p.tweet.authorId)) leaves.set(p.tweet.id, (await sim.stores.tweets.get(p.tweet.id))!.submittedAt + 24 * HOUR);
    const q = [...leaves].find(([, end]) => end > MIDNIGHT + 12 * HOUR + 40 * 60_000 && end < MIDNIGHT + 16 * HOUR);
    expect(q).toBeDefined();
    const p = [...leaves].find(([, end]) => end >= q![1] + 3 * HOUR && end < MIDNIGHT + 23 * HOUR);
    expect(p).toBeDefined();
    const [qId, qEnd] = q!;
    const [pId, pEnd] = p!;
    const truth = sim.sc.truth();
    const liker = sim.sc.members.find((m) => !truth.has(`${pId}|${m.id}|like`))!;
    const outsider = sim.sc.state.addUser({ username: 'outsider' });
    const likesReadOf = (from: number) => sim.x.requestsTo('liked_tweets').filter((r) => r.at >= from && r.path.includes(`/users/${liker.id}/`)).map((r) => r.at);

    // the morning: each member's daily lookup (free re-checks after it); an outsider likes Q at 09:10
    let t = MIDNIGHT + 30 * 60_000;
    for (; t < MIDNIGHT + 9 * HOUR; t += HOUR) await run(t);
    sim.sc.advanceTo(MIDNIGHT + 9 * HOUR + 10 * 60_000);
    sim.sc.state.like(outsider.id, qId);
    await run(t);
    t += HOUR;
    // the member likes P after the 09:30 run, whose lookup still showed the count their last read (yesterday) saw:
    // Q moved before it, so their new like cannot be Q's, and they wait past Q's end (a flat 3-hour horizon read them
    // as soon as Q came within it)
    const likedAt = t - 20 * 60_000;
    sim.sc.advanceTo(likedAt);
    sim.sc.state.like(liker.id, pId);
    const awardKey = `${pId}|${liker.id}|like`;
    for (; t + 3 * HOUR < pEnd; t += HOUR) {
      await run(t);
      expect(likesReadOf(likedAt)).toEqual([]);
      expect((await sim.awarded()).has(awardKey)).toBe(false);
    }
    expect(t).toBeGreaterThan(qEnd);
    // the first run with P leaving within the horizon (3 h) reads their likes and awards the like, two runs ahead of P's end
    expect(t + 2 * HOUR).toBeLessThan(pEnd);
    await run(t);
    expect(likesReadOf(likedAt)).toEqual([t]);
    expect((await sim.awarded()).has(awardKey)).toBe(true);
  });
});
