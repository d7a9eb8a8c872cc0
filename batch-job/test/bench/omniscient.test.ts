import type { XUser } from '@engagement-tracker/sandbox/x';
import { describe, expect, it } from 'vitest';
import { itemsToDepth, References } from '../../bench/references';
import { billedFor, community, MIN, run, t0 } from './bound-community';

describe('the omniscient reference (the reachable target)', () => {
  it('reads a listing in pages X accepts: at least the page minimum, then whole pages of 100', () => {
    expect(itemsToDepth(1, 500, 10)).toBe(10);
    expect(itemsToDepth(4, 500, 10)).toBe(10);
    expect(itemsToDepth(4, 3, 10)).toBe(3);
    expect(itemsToDepth(100, 500, 10)).toBe(100);
    expect(itemsToDepth(101, 500, 10)).toBe(110);
    expect(itemsToDepth(150, 500, 5)).toBe(150);
    expect(itemsToDepth(0, 500, 10)).toBe(0);
  });

  it("pays for the untracked likes a member's page returns, and what it prices is what the double bills that read", async () => {
    const { sc, members, post, untracked, like } = community({ memberNames: ['submitter', 'fan'], author: 'brand' });
    const fan = members[1] as XUser;
    for (let k = 0; k < 30; k++) like(fan, untracked(), t0 + (5 + k) * MIN);
    like(fan, post.id, t0 + 40 * MIN, true);
    for (let k = 0; k < 3; k++) like(fan, untracked(), t0 + (45 + k) * MIN);
    sc.seal();
    const refs = new References(sc);
    sc.advanceTo(run);
    const step = refs.step(run);
    // the like is 4th newest: the smallest page liked_tweets takes (10) returns it with 9 untracked
    // likes, each billed as a post and a like object; the lower bound bills the one like it needs
    expect(step.omniscient).toBeCloseTo(10 * 0.005 + 10 * 0.001, 6);
    expect(step.lowerBound).toBeCloseTo(0.005 + 0.001, 6);
    // the brand never linked: its likers cannot be listed, so that read is the only one there is
    const paid = await billedFor(sc, async (c) => {
      await c.user(fan).v2.userLikedTweets(fan.id, { max_results: 10 });
    });
    expect(paid).toBeCloseTo(step.omniscient, 6);
  });
});
