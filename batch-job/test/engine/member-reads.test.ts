import type { Connection } from '@engagement-tracker/core';
import { describe, expect, it } from 'vitest';
import type { MemberMark } from '../../src/engine';
import { scanJobs, type MemberCounts } from '../../src/engine/steps/scan-members';
import { narrowQueries, QUERY_MAX } from '../../src/engine/steps/search-posts';

const NOW = Date.UTC(2026, 10, 25, 8);
const HOUR = 3_600_000;
const conn = (id: string): Connection => ({ discordId: id, xUserId: `9${id}`, handle: `m${id}`, status: 'linked', scopes: [], linkedAt: 0 } as unknown as Connection);
const mark = (likeCount: number, likesAt: number): MemberMark => ({ likeCount, tweetCount: 5, likeTop: ['1'], scannedAt: likesAt, likesAt, activity: 1 });

describe('which members a run reads', () => {
  const members = ['1', '2', '3', '4', '5'].map(conn);
  const counts = new Map<string, MemberCounts>(members.map((c, i) => [c.discordId, { likeCount: [103, 110, 102, 102, 50][i]!, tweetCount: 5 }]));
  const marks = new Map<string, MemberMark>([
    ['1', mark(100, NOW - 10 * HOUR)], // 3 new likes, last read yesterday (UTC): waits
    ['2', mark(100, NOW - 10 * HOUR)], // 10 new likes: a full page, read
    ['3', mark(100, NOW - 2 * HOUR)], // read earlier today: its page costs only what is new, read
    ['4', mark(100, NOW - 30 * HOUR)], // few new, but a post it may have liked is about to leave the window
    // '5': never read (first scan)
  ]);
  const mode = { likes: true, posts: false };

  it('lets a member with a few new likes wait while their page would be mostly likes billed again', () => {
    const jobs = scanJobs(members, counts, marks, mode, { now: () => NOW, likesDueBefore: NOW - 20 * HOUR, retryMembers: new Set() });
    expect(jobs.map((j) => j.conn.discordId)).toEqual(['2', '3', '4', '5']);
  });

  it('reads everyone whose count moved when a post they may have liked is about to leave, and retries refused reads', () => {
    expect(scanJobs(members, counts, marks, mode, { now: () => NOW, likesDueBefore: NOW, retryMembers: new Set() }).map((j) => j.conn.discordId)).toEqual(['1', '2', '3', '4', '5']);
    expect(scanJobs(members, counts, marks, mode, { now: () => NOW, likesDueBefore: -Infinity, retryMembers: new Set(['1']) }).map((j) => j.conn.discordId)).toEqual(['1', '2', '3', '5']);
  });
});

describe('narrow search queries', () => {
  it('pair every member with every post term, each query within X’s 512 characters, in few requests', () => {
    const members = Array.from({ length: 37 }, (_, i) => String(1_700_000_000_000_000_000n + BigInt(i)));
    const terms = Array.from({ length: 23 }, (_, i) => `${['retweets_of_tweet_id', 'quotes_of_tweet_id', 'conversation_id'][i % 3]}:${2_000_000_000_000_000_000n + BigInt(i)}`);
    const qs = narrowQueries(members, terms);
    const pairs = new Set(qs.flatMap((q) => q.members.flatMap((m) => q.terms.map((t) => `${m}|${t}`))));
    expect(pairs.size).toBe(members.length * terms.length);
    for (const q of qs) expect(`(${q.members.map((m) => `from:${m}`).join(' OR ')}) (${q.terms.join(' OR ')})`.length).toBeLessThanOrEqual(QUERY_MAX);
    // 24 + 4 characters a member and ~45 a term: about (37 x 28 / 250) x (23 x 45 / 250) = 5 x 5
    expect(qs.length).toBeLessThanOrEqual(30);
    expect(narrowQueries([], terms)).toEqual([]);
  });
});
