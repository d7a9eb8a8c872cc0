import { describe, expect, it } from 'vitest';
import { memberDiscordId } from '@engagement-tracker/sandbox/x';
import { PRICE } from '../src/engine';
import { SIM_END, simSuite, type Sim } from './harness';

const suite = simSuite();
const HOUR = 3_600_000;
/** Nobody waits for more likes: every member whose likes moved is read in the run (the dead grant is found at once). */
const NOBODY_WAITS = { likesDueHorizonMs: 7 * 24 * HOUR };

const picked = new Set<string>();
/** Member 0 likes `n` more posts by other linked members that they had not liked (and so does one more member each). */
function deadMemberLikes(s: Sim, n: number): string[] {
  const dead = s.sc.members[0]!;
  const truth = s.sc.truth();
  const posts = s.sc.tracked.filter((t) => t.submittedAt <= s.sc.now() && t.tweet.authorId !== dead.id && t.submitter !== 0 && !picked.has(t.tweet.id) && !truth.has(`${t.tweet.id}|${dead.id}|like`)).slice(0, n);
  for (const p of posts) picked.add(p.tweet.id);
  expect(posts).toHaveLength(n);
  for (const p of posts) {
    s.sc.state.like(dead.id, p.tweet.id);
    const other = s.sc.members.find((m, i) => i > 0 && m.id !== p.tweet.authorId && !truth.has(`${p.tweet.id}|${m.id}|like`))!;
    s.sc.state.like(other.id, p.tweet.id);
  }
  return posts.map((p) => `${p.tweet.id}|${dead.id}|like`);
}

describe('likes of members who must reconnect (BATCH_RECONNECT_LIKES_BUDGET_USD)', () => {
  it("caps the liking_users reads of linked members' posts at the run's budget: none at 0, the cheapest within a small one, all within a large one", async () => {
    const s = await suite.start({ seed: 97, members: 40, tweets: 16, ownPostShare: 1, quietAfterEnd: true, memberRates: { like: 5, retweet: 2, reply: 1.5, quote: 1 }, outsiderRates: { like: 20, retweet: 4, reply: 3, quote: 1 } });
    await s.advanceTo(SIM_END - 3 * HOUR);
    expect((await s.run(NOBODY_WAITS)).status).toBe('succeeded');
    const dead = s.sc.members[0]!;
    s.sc.state.revokeUser(dead.id);
    const likingUsersSince = (from: number) => s.x.requests.slice(from).filter((r) => r.endpoint === 'liking_users');
    const found = async (keys: string[]) => keys.filter((k) => awarded.has(k)).length;
    let awarded: Set<string>;

    // Budget 0: the grant is found dead, and no author's likers are read for it.
    const first = deadMemberLikes(s, 3);
    await s.advanceTo(SIM_END - 150 * 60_000);
    let from = s.x.requests.length;
    const zero = await s.run({ ...NOBODY_WAITS, reconnectLikesBudgetUsd: 0 });
    expect((await s.stores.connections.get(memberDiscordId(0)))!.status).toBe('needs_reconnect');
    expect(zero.stats.membersNeedReconnect).toBe(1);
    expect(zero.stats.reconnectLikeReads ?? 0).toBe(0);
    expect(likingUsersSince(from)).toEqual([]);
    awarded = await s.awarded();
    expect(await found(first)).toBe(0);

    // A budget below two reads (each post read costs at least 1 like moved + margin 2 = 3 rows of user + like): one read.
    const second = deadMemberLikes(s, 3);
    await s.advanceTo(SIM_END - 2 * HOUR);
    const small = 5 * (PRICE.user + PRICE.like);
    from = s.x.requests.length;
    const capped = await s.run({ ...NOBODY_WAITS, reconnectLikesBudgetUsd: small });
    expect(capped.stats.reconnectLikeReads).toBe(1);
    expect(likingUsersSince(from)).toHaveLength(1);
    awarded = await s.awarded();
    expect(await found(second)).toBeLessThanOrEqual(1);

    // A large budget: every moved post by a linked member is read from its author's side, and every like is found.
    const third = deadMemberLikes(s, 3);
    await s.advanceTo(SIM_END - 90 * 60_000);
    from = s.x.requests.length;
    const wide = await s.run({ ...NOBODY_WAITS, reconnectLikesBudgetUsd: 100 });
    expect(wide.stats.reconnectLikeReads).toBeGreaterThanOrEqual(3);
    expect(likingUsersSince(from).length).toBeGreaterThanOrEqual(3);
    awarded = await s.awarded();
    expect(await found(third)).toBe(3);
  }, 180_000);
});
