import { describe, expect, it } from 'vitest';
import { byWindowEnd, deadlinePosts, RATE_WINDOW_MS, sweepDoneBy, type DeadlineTweet } from '../../src/engine/deadline';
import { nextRunOf } from '../../src/schedule';

const NOW = Date.UTC(2026, 10, 24, 12);
const MIN = 60_000;
const m = (likes: number, retweets = 0, replies = 0, quotes = 0) => ({ likes, retweets, replies, quotes });
const post = (id: string, endsIn: number, prev: ReturnType<typeof m> | undefined, now: ReturnType<typeof m>, authorCanListLikes = true): DeadlineTweet => ({
  tweetId: id, createdAt: NOW - 20 * 3_600_000, windowEnd: NOW + endsIn, ...(prev ? { prev } : {}), now, authorCanListLikes,
});

describe('deadline order under rate limits', () => {
  it.each([
    {
      name: 'only posts leaving the window before the run can resume, earliest end first',
      tweets: [post('3', 40 * MIN, m(1), m(5)), post('1', 12 * MIN, m(1), m(4)), post('2', 3 * MIN, m(0, 1), m(0, 2))],
      until: NOW + 15 * MIN,
      want: [['2', [['retweet', 3]]], ['1', [['like', 5]]]],
    },
    {
      name: 'ties on the window end go by id; posts whose counts did not move need nothing',
      tweets: [post('9', 5 * MIN, m(2), m(3)), post('8', 5 * MIN, m(0, 0, 1), m(0, 0, 2)), post('7', 1 * MIN, m(6, 1), m(6, 1))],
      until: NOW + 15 * MIN,
      want: [['8', [['reply', 3]]], ['9', [['like', 3]]]],
    },
    {
      name: 'a post never read yet: everything it has, every kind',
      tweets: [post('5', 10 * MIN, undefined, m(2, 1, 1, 1))],
      until: NOW + 15 * MIN,
      want: [['5', [['like', 2], ['retweet', 1], ['reply', 1], ['quote', 1]]]],
    },
  ])('$name', ({ tweets, until, want }) => {
    const got = deadlinePosts(tweets, until).map((p) => [p.tweetId, p.reads.map((r) => [r.kind, r.items])]);
    expect(got).toEqual(want);
  });

  it('likes no post-side read can show (author not linked) are reported, not read', () => {
    const [p] = deadlinePosts([post('4', 5 * MIN, m(1, 1), m(3, 2), false)], NOW + 15 * MIN);
    expect(p).toMatchObject({ tweetId: '4', unreadable: ['like'], reads: [{ kind: 'retweet', items: 3 }] });
  });

  it('orders post-side reads by window end, keeping the plan order otherwise', () => {
    const ends: Record<string, number> = { a: 30, b: 10, c: 30, d: 20 };
    const reads = [{ tweetId: 'a', kind: 'like' as const, items: 1 }, { tweetId: 'b', kind: 'like' as const, items: 1 }, { tweetId: 'c', kind: 'retweet' as const, items: 1 }, { tweetId: 'a', kind: 'reply' as const, items: 1 }, { tweetId: 'd', kind: 'quote' as const, items: 1 }];
    expect(byWindowEnd(reads, (id) => ends[id]!).map((r) => `${r.tweetId}:${r.kind}`)).toEqual(['b:like', 'd:quote', 'a:like', 'c:retweet', 'a:reply']);
  });

  it('a stopped sweep is done once later runs have looked up every member left', () => {
    expect(sweepDoneBy(NOW, 0, 100)).toBe(NOW);
    expect(sweepDoneBy(NOW, 100, 100)).toBe(NOW);
    expect(sweepDoneBy(NOW, 150, 100)).toBe(NOW + RATE_WINDOW_MS);
    expect(sweepDoneBy(NOW, 900, 300)).toBe(NOW + 2 * RATE_WINDOW_MS);
  });

  it('with the schedule known, each window of the sweep left waits for the first run once it is open', () => {
    const at = (hhmm: string) => Date.parse(`2026-11-24T${hhmm}:00Z`);
    const every30 = nextRunOf('*/30 * * * *');
    // resumes 12:15: the runs at 12:30, 13:00 and 13:30 (the window reopening at 12:45 has no run until 13:00)
    expect(sweepDoneBy(at('12:15'), 250, 100, every30)).toBe(at('13:30'));
    expect(sweepDoneBy(at('12:15'), 250, 100)).toBe(at('12:45'));
    expect(sweepDoneBy(at('12:15'), 50, 100, every30)).toBe(at('12:30'));
    // a run exactly when the window reopens; runs every 5 minutes come as soon as the window reopens
    expect(sweepDoneBy(at('12:30'), 50, 100, every30)).toBe(at('12:30'));
    expect(sweepDoneBy(at('12:15'), 250, 100, nextRunOf('*/5 * * * *'))).toBe(at('12:45'));
    // in the schedule's time zone: 09:00 in New York is 14:00 UTC in November
    expect(nextRunOf('0 9 * * *', 'America/New_York')(at('12:15'))).toBe(at('14:00'));
    expect(nextRunOf('0 9 * * *', 'Etc/UTC')(at('12:15'))).toBe(Date.parse('2026-11-25T09:00:00Z'));
  });
});
