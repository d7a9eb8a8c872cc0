import { describe, expect, it } from 'vitest';
import type { MemberMark } from '../../src/engine';
import { DAILY_LOOKUP_FROM_MS, DAILY_LOOKUP_SPREAD_MS, dueBefore, dueHorizon, knownThrough, NEXT_RUN_SLACK_MS, seenNow, lookupReason, membersDue, spreadOf, type DueRules, type MemberSeen } from '../../src/engine/due';

const HOUR = 3_600_000;
const MIDNIGHT = Date.UTC(2026, 10, 25);
const NOW = MIDNIGHT + 30 * 60_000; // the first run of a fresh UTC day
const LAST_RUN = MIDNIGHT - 30 * 60_000; // the last run of the day before
const mark = (o: Partial<MemberMark> = {}): MemberMark => ({ likeCount: 100, tweetCount: 20, likeTop: ['1'], scannedAt: LAST_RUN - 5 * HOUR, likesAt: LAST_RUN - 5 * HOUR, postsAt: LAST_RUN - 3 * HOUR, activity: 1, ...o });
const seen = (o: Partial<MemberSeen> = {}): MemberSeen => ({ at: LAST_RUN, likes: 100, tweets: 20, ...o });
const rules = (o: Partial<DueRules> = {}): DueRules => ({ now: NOW, likesDueBefore: -Infinity, postsDueBefore: -Infinity, retry: new Set(), ...o });

describe('knownThrough: up to when nothing a member did is unread', () => {
  it('is the last lookup when it showed nothing new, else the last complete read of that kind', () => {
    expect(knownThrough(mark(), seen())).toEqual({ likes: LAST_RUN, posts: LAST_RUN });
    // the lookup showed 3 new likes (left to wait) and 1 new post (not read that run)
    expect(knownThrough(mark(), seen({ likes: 103, tweets: 21 }))).toEqual({ likes: LAST_RUN - 5 * HOUR, posts: LAST_RUN - 3 * HOUR });
    // never looked up: nothing is known
    expect(knownThrough(mark(), undefined)).toEqual({ likes: -Infinity, posts: -Infinity });
    // looked up, never read, with likes and posts to read; and a member with nothing at all to read
    expect(knownThrough(undefined, seen())).toEqual({ likes: -Infinity, posts: -Infinity });
    expect(knownThrough(undefined, seen({ likes: 0, tweets: 0 }))).toEqual({ likes: LAST_RUN, posts: LAST_RUN });
  });
});

describe('seenNow / knownThrough: a later lookup that still showed the read counts dates nothing', () => {
  it('records what the lookup showed', () => {
    expect(seenNow(NOW, { likeCount: 100, tweetCount: 20 })).toEqual({ at: NOW, likes: 100, tweets: 20 });
  });

  it('dates pending likes and posts from the last read, since an engagement and an unlike (or a deleted post) leave a count unchanged', () => {
    // read 5 h (likes) and 3 h (posts) before last night's run; now 3 likes and a post are new
    const s = seen({ likes: 103, tweets: 21 });
    expect(knownThrough(mark(), s)).toEqual({ likes: LAST_RUN - 5 * HOUR, posts: LAST_RUN - 3 * HOUR });
    // anything that moved after the read on a post about to leave makes the member due
    expect(lookupReason('42', mark(), s, rules({ likesDueBefore: LAST_RUN - 5 * HOUR + 1, postsDueBefore: -Infinity }))).toBe('likes');
    expect(lookupReason('42', mark(), s, rules({ likesDueBefore: -Infinity, postsDueBefore: LAST_RUN - 3 * HOUR + 1 }))).toBe('posts');
    expect(lookupReason('42', mark(), s, rules({ likesDueBefore: LAST_RUN - 5 * HOUR, postsDueBefore: LAST_RUN - 3 * HOUR }))).toBeNull();
  });
});

describe('lookupReason: which members a fresh UTC day looks up', () => {
  it('lets a member known last night wait on the first run after midnight', () => {
    expect(lookupReason('42', mark(), seen(), rules())).toBeNull();
  });

  it('looks up members already billed today (free), never looked up, to retry, or with a read to resume', () => {
    expect(lookupReason('42', mark(), seen({ at: MIDNIGHT + 60_000 }), rules())).toBe('billedToday');
    // looked up today, but with something that must be read: due, not only a free re-check
    const today = seen({ at: MIDNIGHT + 60_000, likes: 103, tweets: 21 });
    expect(lookupReason('42', mark(), today, rules({ likesDueBefore: NOW }))).toBe('likes');
    expect(lookupReason('42', mark(), today, rules({ postsDueBefore: NOW }))).toBe('posts');
    expect(lookupReason('42', mark(), today, rules({ retry: new Set(['42']) }))).toBe('retry');
    expect(lookupReason('42', mark({ postResume: { token: 't', newest: '9' } }), today, rules())).toBe('resume');
    expect(lookupReason('42', undefined, undefined, rules())).toBe('new');
    expect(lookupReason('42', mark(), seen(), rules({ retry: new Set(['42']) }))).toBe('retry');
    expect(lookupReason('42', mark({ likeResume: { token: 't', top: ['9'] } }), seen(), rules())).toBe('resume');
    expect(lookupReason('42', mark(), seen(), rules({ everyone: true }))).toBe('everyone');
  });

  it('looks up a member known only up to before something moved on a post about to leave the window', () => {
    // a like moved after the lookup of last night: the member may have liked it since
    expect(lookupReason('42', mark(), seen(), rules({ likesDueBefore: LAST_RUN + 1 }))).toBe('likes');
    expect(lookupReason('42', mark(), seen(), rules({ likesDueBefore: LAST_RUN }))).toBeNull();
    // likes left waiting at that lookup are known only up to their last read
    expect(lookupReason('42', mark(), seen({ likes: 103 }), rules({ likesDueBefore: LAST_RUN - 2 * HOUR }))).toBe('likes');
    expect(lookupReason('42', mark(), seen(), rules({ postsDueBefore: LAST_RUN + 1 }))).toBe('posts');
    expect(lookupReason('42', mark(), seen({ tweets: 21 }), rules({ postsDueBefore: LAST_RUN - 2 * HOUR }))).toBe('posts');
  });

  it('spreads the day’s first lookups over the hours after midnight, each member at its own point, every member once a day', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => String(1_300_000_000_000_000_000n + BigInt(i * 7919)));
    // known since last night, or (a quiet evening: no run needed a lookup) since yesterday noon
    for (const at of [LAST_RUN, MIDNIGHT - 12 * HOUR]) {
      const dueBy = (t: number) => ids.filter((id) => lookupReason(id, mark(), seen({ at }), rules({ now: t })) === 'daily').length;
      expect(dueBy(NOW)).toBe(0);
      expect(dueBy(MIDNIGHT + DAILY_LOOKUP_FROM_MS - 1)).toBe(0);
      const mid = dueBy(MIDNIGHT + DAILY_LOOKUP_FROM_MS + DAILY_LOOKUP_SPREAD_MS / 2);
      expect(mid).toBeGreaterThan(ids.length * 0.4);
      expect(mid).toBeLessThan(ids.length * 0.6);
      expect(dueBy(MIDNIGHT + DAILY_LOOKUP_FROM_MS + DAILY_LOOKUP_SPREAD_MS)).toBe(ids.length);
    }
    for (const id of ids.slice(0, 50)) {
      expect(spreadOf(id)).toBe(spreadOf(id));
      expect(spreadOf(id)).toBeGreaterThanOrEqual(0);
      expect(spreadOf(id)).toBeLessThan(1);
    }
  });
});

describe('dueBefore', () => {
  it('is the latest move, per kind, of the posts leaving the window within the horizon', () => {
    const closeBy = NOW + 3 * HOUR;
    const posts = [
      { windowEnd: NOW + HOUR, likesMovedAt: LAST_RUN - 10 * HOUR, postsMovedAt: LAST_RUN - 12 * HOUR },
      { windowEnd: NOW + 2 * HOUR, likesMovedAt: LAST_RUN - 9 * HOUR },
      // leaves later: still moving, but members have until it comes close
      { windowEnd: NOW + 20 * HOUR, likesMovedAt: NOW, postsMovedAt: NOW },
    ];
    expect(dueBefore(posts, closeBy)).toEqual({ likes: LAST_RUN - 9 * HOUR, posts: LAST_RUN - 12 * HOUR });
    expect(dueBefore(posts.slice(2), closeBy)).toEqual({ likes: -Infinity, posts: -Infinity });
  });
});

describe('dueHorizon: posts leaving before it must have their candidate likers read now', () => {
  const hourly = (after: number) => Math.ceil(after / HOUR) * HOUR;
  it('is the horizon when runs come within it, so runs that do not come within it lose nothing', () => {
    expect(dueHorizon(MIDNIGHT, 3 * HOUR, hourly)).toBe(MIDNIGHT + 3 * HOUR);
    expect(dueHorizon(MIDNIGHT + 20 * 60_000, 3 * HOUR, hourly)).toBe(MIDNIGHT + 20 * 60_000 + 3 * HOUR);
    // a horizon shorter than the time between runs: the next run (plus a little for its start)
    expect(dueHorizon(MIDNIGHT, 30 * 60_000, hourly)).toBe(MIDNIGHT + HOUR + NEXT_RUN_SLACK_MS);
    // runs every 6 hours: a post leaving 4 hours from now cannot wait for the next run, whatever the horizon
    const sixHourly = (after: number) => Math.ceil(after / (6 * HOUR)) * 6 * HOUR;
    expect(dueHorizon(MIDNIGHT, 3 * HOUR, sixHourly)).toBe(MIDNIGHT + 6 * HOUR + NEXT_RUN_SLACK_MS);
  });
  it('is the horizon without a schedule, or when no later run is known', () => {
    expect(dueHorizon(MIDNIGHT, 3 * HOUR)).toBe(MIDNIGHT + 3 * HOUR);
    expect(dueHorizon(MIDNIGHT, 3 * HOUR, (after) => after)).toBe(MIDNIGHT + 3 * HOUR);
  });
  it('makes a member due now for a post leaving before a run that may not come', () => {
    const posts = [
      { windowEnd: MIDNIGHT + 50 * 60_000, likesMovedAt: LAST_RUN },
      { windowEnd: MIDNIGHT + 2 * HOUR, likesMovedAt: MIDNIGHT },
    ];
    // the post leaving at 02:00 would be lost if the 01:00 run were skipped: its likers are due now
    expect(dueBefore(posts, dueHorizon(MIDNIGHT, 3 * HOUR, hourly)).likes).toBe(MIDNIGHT);
    // with a horizon shorter than the gap, only the post leaving before the next run counts
    expect(dueBefore(posts, dueHorizon(MIDNIGHT, 30 * 60_000, hourly)).likes).toBe(LAST_RUN);
  });
});

describe('membersDue', () => {
  it('counts the lookups X will bill, says what must be read, and never dates what is known before the window', () => {
    const marks = new Map([['a', mark()], ['b', mark()], ['c', mark()], ['d', mark()]]);
    const seenBy = new Map([
      ['a', seen({ at: MIDNIGHT + 60_000 })], // billed today: free
      ['b', seen({ likes: 104 })], // 4 likes waiting since the last read, 5 hours before last night's lookup
      ['c', seen()], // known last night: waits
      // 'd': never looked up
    ]);
    const windowStart = LAST_RUN - 4 * HOUR;
    const due = membersDue(['a', 'b', 'c', 'd'], marks, seenBy, rules({ likesDueBefore: LAST_RUN - 2 * HOUR }), windowStart);
    expect(Object.fromEntries(due.reasons)).toEqual({ a: 'billedToday', b: 'likes', d: 'new' });
    expect(due.recheck).toEqual(['a']);
    expect(due.unbilled).toBe(2);
    expect(due.force).toEqual({ likes: true, posts: false });
    expect(due.postsKnownAt.get('c')).toBe(LAST_RUN);
    expect(due.postsKnownAt.get('d')).toBe(windowStart);
    // nothing due: nothing forced, only the free lookups
    const quiet = membersDue(['a', 'c'], marks, seenBy, rules(), windowStart);
    expect([...quiet.reasons.keys()]).toEqual(['a']);
    expect(quiet).toMatchObject({ unbilled: 0, recheck: ['a'], force: { likes: false, posts: false } });
  });

  it('lists the free re-checks apart, the longest since their last lookup first', () => {
    const seenBy = new Map([
      ['a', seen({ at: MIDNIGHT + 20 * 60_000 })],
      ['b', seen({ at: MIDNIGHT + 5 * 60_000 })],
      ['c', seen({ at: MIDNIGHT + 5 * 60_000 })],
      ['d', seen({ at: MIDNIGHT + 5 * 60_000, tweets: 21 })], // billed today, posts pending and due
    ]);
    const marks = new Map(['a', 'b', 'c', 'd'].map((id) => [id, mark()]));
    const due = membersDue(['c', 'a', 'd', 'b'], marks, seenBy, rules({ postsDueBefore: MIDNIGHT + 60_000 }), LAST_RUN - 4 * HOUR);
    expect(due.recheck).toEqual(['b', 'c', 'a']);
    expect(due.reasons.get('d')).toBe('posts');
    expect(due.force.posts).toBe(true);
  });
});
