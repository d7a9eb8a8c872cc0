import { describe, expect, it } from 'vitest';
import { changedBy, pageSize, planRun, type PlanInput, type PlanTweet } from '../../src/engine';
import { refsOf } from '../../src/engine/steps/posts';

const NOW = Date.UTC(2026, 10, 24, 12);
const m = (likes: number, retweets = 0, replies = 0, quotes = 0) => ({ likes, retweets, replies, quotes });
const tweet = (id: string, prev: ReturnType<typeof m> | undefined, now: ReturnType<typeof m>, authorCanListLikes = false): PlanTweet => ({
  tweetId: id, createdAt: NOW - 3_600_000, ...(prev ? { prev } : {}), now, authorCanListLikes,
});
const input = (tweets: PlanTweet[], extra: Partial<PlanInput> = {}): PlanInput => ({
  now: NOW, tweets, members: 1000, lookupsUnbilled: extra.members ?? 1000, itemsPerScan: 3,
  remaining: { liking_users: Infinity, retweeted_by: Infinity, quote_tweets: Infinity, search_recent: Infinity, users_lookup: Infinity },
  ...extra,
});

describe('planRun', () => {
  it('needs nothing when no count moved (idle)', () => {
    const plan = planRun(input([tweet('1', m(5, 1), m(5, 1)), tweet('2', m(0), m(0))]));
    expect(plan).toMatchObject({ likes: 'none', posts: 'none', memberLookup: false, tweetReads: [] });
    expect(plan.estimate.costUsd).toBe(0);
  });

  it('reads only the kinds that moved, with the increase plus a margin', () => {
    expect(changedBy(tweet('1', m(5, 1), m(7, 1)), 'like')).toBe(4);
    expect(changedBy(tweet('1', m(5, 1), m(7, 1)), 'retweet')).toBeNull();
    expect(changedBy(tweet('1', m(5, 1), m(4, 1)), 'like')).toBe(2);
    expect(changedBy(tweet('1', undefined, m(3)), 'like')).toBe(3);
    expect(changedBy(tweet('1', undefined, m(0)), 'like')).toBeNull();
  });

  it("uses the author's liking_users for a few new likes on members' own posts when the member lookup is not yet paid", () => {
    const plan = planRun(input([tweet('1', m(10), m(12), true)]));
    expect(plan.likes).toBe('authors');
    expect(plan.memberLookup).toBe(false);
    expect(plan.tweetReads).toEqual([{ tweetId: '1', kind: 'like', items: 4 }]);
  });

  it('falls back to members when any changed post has no author token (likes are private)', () => {
    const plan = planRun(input([tweet('1', m(10), m(12), true), tweet('2', m(3), m(4), false)]));
    expect(plan.likes).toBe('members');
    expect(plan.memberLookup).toBe(true);
  });

  it('prefers member reads for a viral post: 50,000 likers would cost $500 from its side', () => {
    const plan = planRun(input([tweet('1', undefined, m(50_000, 1_000, 300, 100), true)], { members: 200 }));
    expect(plan.likes).toBe('members');
    expect(plan.posts).toBe('search');
    expect(plan.estimate.alternatives['authors+tweets']).toBeGreaterThan(500);
  });

  it('reads retweets from the post side when it is cheaper than a member lookup', () => {
    const plan = planRun(input([tweet('1', m(0, 3), m(0, 4))]));
    expect(plan.posts).toBe('tweets');
    expect(plan.tweetReads).toEqual([{ tweetId: '1', kind: 'retweet', items: 3 }]);
  });

  it('avoids post-side reads the rate limits cannot carry', () => {
    const plan = planRun(input([tweet('1', m(0, 3), m(0, 4))], { remaining: { liking_users: Infinity, retweeted_by: 0, quote_tweets: Infinity, search_recent: Infinity, users_lookup: Infinity } }));
    expect(plan.posts).not.toBe('tweets');
  });

  it('counts only the due members\' lookups against the users_lookup window, not the free re-checks', () => {
    const replies = [tweet('1', m(0, 0, 3), m(0, 0, 9))];
    const oneLeft = { liking_users: Infinity, retweeted_by: Infinity, quote_tweets: Infinity, search_recent: Infinity, users_lookup: 1 };
    // 300 members to look up, 3 requests: the window cannot carry them, the post side is read instead
    expect(planRun(input(replies, { members: 300, lookupsUnbilled: 0, remaining: oneLeft })).posts).toBe('tweets');
    // 250 of them only free re-checks: the 50 due fit in the one request left
    const plan = planRun(input(replies, { members: 300, lookupsUnbilled: 0, recheck: 250, remaining: oneLeft }));
    expect(plan.posts).not.toBe('tweets');
    expect(plan.memberLookup).toBe(true);
  });

  it('does not use search for posts older than the 7-day search window', () => {
    const old: PlanTweet = { ...tweet('1', m(0, 0, 3), m(0, 0, 9)), createdAt: NOW - 8 * 86_400_000 };
    const plan = planRun(input([old], { lookupsUnbilled: 0 }));
    expect(plan.posts).toBe('members');
  });

  it('sizes pages to what is expected, within X bounds', () => {
    expect(pageSize(1, 5)).toBe(5);
    expect(pageSize(10, 5)).toBe(12);
    expect(pageSize(500, 5)).toBe(100);
  });
});

describe('refsOf', () => {
  it('credits a reply to its parent and to the conversation root, and a repost or quote only to what it references', () => {
    expect(refsOf({ id: '30', conversation_id: '10', referenced_tweets: [{ type: 'replied_to', id: '20' }] })).toEqual([
      { tweetId: '20', kind: 'reply' },
      { tweetId: '10', kind: 'reply' },
    ]);
    // a repost / quote of a reply inside a thread, reported with the thread's conversation id
    expect(refsOf({ id: '31', conversation_id: '10', referenced_tweets: [{ type: 'retweeted', id: '20' }] })).toEqual([{ tweetId: '20', kind: 'retweet' }]);
    expect(refsOf({ id: '32', conversation_id: '10', referenced_tweets: [{ type: 'quoted', id: '20' }] })).toEqual([{ tweetId: '20', kind: 'quote' }]);
    expect(refsOf({ id: '33', conversation_id: '33' })).toEqual([]);
  });
});
