import { memberDiscordId } from '@engagement-tracker/sandbox/x';
import { describe, expect, it } from 'vitest';
import { WatermarkStore } from '../src/engine';
import { score, simSuite } from './harness';

const suite = simSuite();
const HOUR = 3_600_000;
const MIDNIGHT = Date.UTC(2026, 10, 25);
/** The scenario's posts are submitted over the day before 22:00 UTC; most stay tracked until the next afternoon. */
const END = MIDNIGHT - 2 * HOUR;

describe('member lookups on a fresh UTC day', () => {
  it('looks up only the members due on the first run after midnight, the rest on later runs (each billed once), and misses nothing', async () => {
    const sim = await suite.start({ seed: 101, members: 40, tweets: 16, memberRates: { like: 5, retweet: 2, reply: 1.5, quote: 1 }, outsiderRates: { like: 20, retweet: 4, reply: 3, quote: 1 }, quietAfterEnd: true, end: END });
    await sim.advanceTo(END);
    expect((await sim.run()).status).toBe('succeeded');
    const midnight = MIDNIGHT;
    // the last run of the day: every member is looked up again (free: already billed that day)
    sim.sc.advanceTo(midnight - 30 * 60_000);
    expect((await sim.run()).status).toBe('succeeded');

    // just after midnight, a member likes a tracked post and another reposts one: both posts leave the
    // window in the afternoon, so the members can wait
    const truth = sim.sc.truth();
    const ids = new Set(sim.sc.members.map((m) => m.id));
    const leaves = async (id: string) => (await sim.stores.tweets.get(id))!.submittedAt + 24 * HOUR;
    const open: string[] = [];
    for (const p of sim.sc.tracked) if ((await leaves(p.tweet.id)) > midnight + 12 * HOUR && !ids.has(p.tweet.authorId)) open.push(p.tweet.id);
    expect(open.length).toBeGreaterThanOrEqual(2);
    // the reposter's posts were searched before (so a narrow search, the posts' ids with `from:` groups, reads them next)
    const marks = await new WatermarkStore(sim.stores.ctx).memberMarks(sim.sc.members.map((_, i) => memberDiscordId(i)));
    const searched = sim.sc.members.filter((_, i) => (marks.get(memberDiscordId(i))?.tweetCount ?? -1) >= 0);
    const reposter = searched.find((m) => !truth.has(`${open[1]}|${m.id}|retweet`));
    const liker = sim.sc.members.find((m) => m !== reposter && !truth.has(`${open[0]}|${m.id}|like`));
    sim.sc.advanceTo(midnight + 10 * 60_000);
    sim.sc.state.like(liker!.id, open[0]!);
    sim.sc.state.retweet(reposter!.id, open[1]!);
    const wanted = [`${open[0]}|${liker!.id}|like`, `${open[1]}|${reposter!.id}|retweet`];
    let got = await sim.awarded();

    const lookedUp = (from: number) => sim.x.requestsTo('users_lookup').filter((r) => r.at >= from).flatMap((r) => (r.query.ids ?? '').split(','));
    sim.sc.advanceTo(midnight + 30 * 60_000);
    const first = await sim.run();
    expect(first.status).toBe('succeeded');
    // nobody is due yet: members known at 23:30 wait (their lookup would be billed again today)
    expect(lookedUp(midnight)).toEqual([]);
    expect(first.stats.membersWaiting).toBe(first.stats.membersLinked);

    // hourly runs, each after an outsider's like (the runs read members): a share of the members comes due
    // each time until all are looked up today
    const today = new Set<string>();
    const newPerRun: number[] = [];
    const outsider = sim.sc.state.addUser({ username: 'outsider' });
    while (today.size < 40) {
      expect(newPerRun.length).toBeLessThan(12);
      sim.sc.advanceTo(sim.sc.now() + HOUR);
      sim.sc.state.like(outsider.id, open[newPerRun.length % open.length]!);
      const from = sim.sc.now();
      expect((await sim.run()).status).toBe('succeeded');
      const seen = lookedUp(from);
      newPerRun.push(seen.filter((id) => !today.has(id)).length);
      for (const id of seen) today.add(id);
      // members already looked up today are looked up every run (free)
      expect(new Set(seen).size).toBe(today.size);
    }
    expect(Math.max(...newPerRun)).toBeLessThan(40);
    // spread over the runs from 01:00 to 03:00 UTC: not all on one
    expect(newPerRun.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    // X billed each member's lookup once that day
    const billed = sim.x.requestsTo('users_lookup').filter((r) => r.at >= midnight).reduce((a, r) => a + r.billedUsers, 0);
    expect(billed).toBeLessThanOrEqual(40);

    // what they did after midnight is found before those posts leave the window (a member with one new like
    // waits until then: a page of 10 would bill likes billed yesterday again), and nothing else is missed
    const ends = Math.min(await leaves(open[0]!), await leaves(open[1]!));
    while (!wanted.every((k) => got.has(k))) {
      expect(sim.sc.now()).toBeLessThan(ends);
      sim.sc.advanceTo(sim.sc.now() + HOUR);
      expect((await sim.run()).status).toBe('succeeded');
      got = await sim.awarded();
    }
    expect(score(sim.sc.truth(), got).missed).toEqual([]);
  });
});
