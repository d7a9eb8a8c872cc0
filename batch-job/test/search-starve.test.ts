import { describe, expect, it } from 'vitest';
import { score, SIM_END, simSuite } from './harness';

const suite = simSuite();
const WINDOW = 15 * 60_000;

describe('member sweep under a search_recent limit its searches exceed', () => {
  it('keeps the searches each run finished, so every run moves on and every member is read', async () => {
    // 250 members searched 16 to a query, two searches per 15-minute window: one run cannot search them all
    const sim = await suite.start({ seed: 83, members: 250, tweets: 20, memberRates: { like: 2, retweet: 3, reply: 2, quote: 1 }, quietAfterEnd: true }, { limits: { search_recent: { app: 2 } } });
    await sim.advanceTo(SIM_END);
    const truth = sim.sc.truth();
    const posts = new Set([...truth].filter((k) => !k.endsWith('|like')));
    expect(posts.size).toBeGreaterThan(20);
    const searched = () => sim.x.requestsTo('search_recent').filter((r) => r.status === 200).length;

    let out = await sim.run();
    expect(out.status).toBe('partial');
    expect(out.stats.stopped_rate_limited).toBe(1);
    const awardedAfter: number[] = [];
    for (let i = 0; i < 30 && out.status !== 'succeeded'; i++) {
      const got = await sim.awarded();
      awardedAfter.push([...posts].filter((k) => got.has(k)).length);
      sim.sc.advanceTo(sim.sc.now() + WINDOW);
      const before = searched();
      out = await sim.run();
      // every run spends the searches its window allows
      expect(searched() - before).toBeGreaterThan(0);
    }
    expect(out.status).toBe('succeeded');
    // what each stopped run searched was kept: the members' reposts, replies and quotes found grow run after run
    expect(awardedAfter.length).toBeGreaterThan(2);
    expect(new Set(awardedAfter).size).toBeGreaterThan(2);
    const got = await sim.awarded();
    const { recall, precision, missed } = score(truth, got);
    expect(missed).toEqual([]);
    expect(recall).toBe(1);
    expect(precision).toBe(1);
  }, 300_000);
});
