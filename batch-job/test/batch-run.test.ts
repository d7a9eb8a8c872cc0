import type { RedisClient } from '@engagement-tracker/core';
import { scanKeys, startTestRedis, type TestRedis } from '@engagement-tracker/core/testing';
import { createDiscordDmNotifier, createLogger } from '@engagement-tracker/core';
import { memberDiscordId } from '@engagement-tracker/sandbox/x';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WatermarkStore } from '../src/engine';
import { nextRunOf } from '../src/schedule';
import { score, SIM_END, startSim, type Sim } from './harness';

let server: TestRedis;
let redis: RedisClient;
const sims: Sim[] = [];
const HALF_HOUR = 30 * 60_000;

beforeAll(async () => {
  server = await startTestRedis();
  redis = server.client();
});
afterAll(async () => {
  for (const s of sims) await s.close();
  await server.stop();
});

async function sim(...args: Parameters<typeof startSim> extends [unknown, ...infer R] ? R : never) {
  const s = await startSim(redis, ...args);
  sims.push(s);
  return s;
}

/**
 * A member, and the tracked posts by outside accounts they did not submit and have not liked (only
 * the member's own likes read can find a like of those).
 */
function likeTargets(s: Sim, min = 1) {
  const truth = s.sc.truth();
  const open = (i: number) => s.sc.tracked
    .filter((p) => p.submitter !== i && !s.sc.members.some((x) => x.id === p.tweet.authorId) && !truth.has(`${p.tweet.id}|${s.sc.members[i]!.id}|like`))
    .map((p) => p.tweet.id);
  const idx = s.sc.members.findIndex((_, i) => open(i).length >= min);
  expect(idx).toBeGreaterThanOrEqual(0);
  return { m: s.sc.members[idx]!, discordId: memberDiscordId(idx), posts: open(idx) };
}

const small = { seed: 7, members: 40, tweets: 16, memberRates: { like: 5, retweet: 2, reply: 1.5, quote: 1 }, outsiderRates: { like: 20, retweet: 4, reply: 3, quote: 1 } };

describe('batch run against the X double', () => {
  it('finds every member engagement across runs 30 minutes apart, awards each once, and records the run', async () => {
    const s = await sim(small);
    const outcomes = [];
    for (let t = SIM_END - 2 * 3_600_000; t <= SIM_END; t += HALF_HOUR) {
      await s.advanceTo(t);
      outcomes.push(await s.run({ trigger: 'schedule', jobName: 'job-1' }));
    }
    expect(outcomes.map((o) => o.status)).toEqual(Array(5).fill('succeeded'));
    const truth = s.sc.truth();
    expect(truth.size).toBeGreaterThan(20);
    const r = score(truth, await s.awarded());
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
    expect(s.x.requests.filter((q) => q.status === 429)).toEqual([]);
    const run = await s.stores.batches.get(outcomes[0]!.runId);
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'schedule', jobName: 'job-1' });
    expect(run!.stats.requests).toBeGreaterThan(0);
    expect(run!.stats.awarded).toBeGreaterThan(0);
    expect(run!.stats.costUsd).toBeGreaterThan(0);
    expect((await s.stores.ledger.checkConsistency()).drift).toEqual([]);

    // Idle: nothing moved, so only the public_metrics lookup is sent (and billed nothing new today).
    const before = s.x.requests.length;
    const billedBefore = s.x.billing.summary();
    const idle = await s.run();
    expect(idle.status).toBe('succeeded');
    expect(s.x.requests.slice(before).map((q) => q.endpoint)).toEqual(['tweets_lookup']);
    expect(s.x.billing.summary()).toEqual(billedBefore);
    expect(idle.stats.awarded ?? 0).toBe(0);
  });

  it('never double-awards when progress is lost and the run is repeated', async () => {
    const s = await sim({ ...small, seed: 11 });
    await s.advanceTo(SIM_END);
    expect((await s.run()).status).toBe('succeeded');
    const totals = await s.stores.leaderboard.top({ board: 'alltime', limit: 100 });
    // Lose every watermark (as if Redis lost the batch state) and run again: all is re-read,
    // the ledger recognises every award, nothing changes.
    const keys = await scanKeys(redis, s.stores.keys.wmSweep().replace(/sweep$/, '*')); // every watermark key
    await redis.del(...keys);
    const again = await s.run();
    expect(again.status).toBe('succeeded');
    expect(again.stats.awarded ?? 0).toBe(0);
    expect(again.stats.duplicates).toBeGreaterThan(0);
    expect(await s.stores.leaderboard.top({ board: 'alltime', limit: 100 })).toEqual(totals);
    expect((await s.stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('awards engagement found by a run that died before awarding (pending survives)', async () => {
    const s = await sim({ ...small, seed: 13 });
    await s.advanceTo(SIM_END);
    const wm = new WatermarkStore(s.stores.ctx);
    const p = s.sc.tracked[0]!;
    const fan = s.sc.members.findIndex((m, i) => i !== p.submitter && m.id !== p.tweet.authorId);
    await wm.commitMember(memberDiscordId(fan), { likeCount: 0, tweetCount: 0, likeTop: [], scannedAt: 0, activity: 0 }, [{ tweetId: p.tweet.id, discordId: memberDiscordId(fan), kind: 'like' }], new Set([p.tweet.id]));
    const out = await s.run();
    const logs = await s.stores.ledger.logsForTweet(p.tweet.id);
    expect(logs.some((l) => l.discordId === memberDiscordId(fan) && l.kind === 'like' && l.batchId === out.runId)).toBe(true);
    expect(await wm.pending()).toEqual([]);
  });

  it('a likes read resumed from a cut-short run still finds the likes made in between', async () => {
    const s = await sim({ ...small, seed: 47, quietAfterEnd: true }, { limits: { liked_tweets: { user: 1 } } });
    await s.advanceTo(SIM_END);
    expect((await s.run()).status).toBe('succeeded');
    const st = s.sc.state;
    const outsider = st.addUser({ username: 'noise_account' });
    const { m, posts: [q0, q] } = likeTargets(s, 2);
    // a like of a tracked post (so the run reads likes), then 150 likes of untracked posts: the
    // likes read needs two pages, and one request fits the member's window
    st.like(m.id, q0!);
    for (let i = 0; i < 150; i++) st.like(m.id, st.addTweet({ authorId: outsider.id }).id);
    s.sc.advanceTo(s.sc.now() + 16 * 60_000);
    const cut = await s.run();
    expect(cut.status).toBe('partial');
    // the member likes a tracked post while their read waits to resume
    s.sc.advanceTo(s.sc.now() + 15 * 60_000);
    st.like(m.id, q!);
    const key = `${q}|${m.id}|like`;
    for (let i = 0; i < 4 && !(await s.awarded()).has(key); i++) {
      s.sc.advanceTo(s.sc.now() + 15 * 60_000);
      await s.run();
    }
    expect(await s.awarded()).toContain(key);
    expect(await s.awarded()).toContain(`${q0}|${m.id}|like`);
  });

  it('reads every like a member made since their last scan, even past 10 pages', async () => {
    const s = await sim({ ...small, seed: 61, quietAfterEnd: true });
    await s.advanceTo(SIM_END);
    expect((await s.run()).status).toBe('succeeded');
    const { m, posts: [q] } = likeTargets(s);
    s.sc.advanceTo(s.sc.now() + 60_000);
    s.sc.state.like(m.id, q!);
    const noise = s.sc.state.addUser({ username: 'noise_many' });
    for (let i = 0; i < 1_100; i++) s.sc.state.like(m.id, s.sc.state.addTweet({ authorId: noise.id }).id);
    const out = await s.run();
    expect(out.status).toBe('succeeded');
    expect(await s.awarded()).toContain(`${q}|${m.id}|like`);
  });

  it("a member's first likes scan finds their likes of tracked posts without reading deep into older likes", async () => {
    const s = await sim({ ...small, seed: 89, quietAfterEnd: true });
    await s.advanceTo(SIM_END);
    expect((await s.run()).status).toBe('succeeded');
    const q = s.sc.tracked.find((p) => !s.sc.members.some((x) => x.id === p.tweet.authorId))!.tweet.id;
    const late = s.sc.state.addUser({ username: 'late_linker' });
    const noise = s.sc.state.addUser({ username: 'late_noise' });
    // 300 likes of posts from 2.5 days ago (well before the window), then the tracked post, then 30 fresh ones
    for (let i = 0; i < 300; i++) s.sc.state.like(late.id, s.sc.state.addTweet({ authorId: noise.id, createdAt: SIM_END - 60 * 3_600_000 }).id);
    s.sc.state.like(late.id, q);
    for (let i = 0; i < 30; i++) s.sc.state.like(late.id, s.sc.state.addTweet({ authorId: noise.id, createdAt: SIM_END - 3_600_000 }).id);
    const t = s.sc.state.issueTokens(late.id);
    await s.stores.connections.link({ discordId: '990000000000000001', displayName: 'late', xUserId: late.id, handle: late.username, scopes: t.scopes, tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken!, expiresAt: t.expiresAt, scopes: t.scopes } });
    s.sc.advanceTo(s.sc.now() + 60_000);
    const out = await s.run();
    expect(out.status).toBe('succeeded');
    expect((await s.stores.ledger.logsForTweet(q)).some((l) => l.discordId === '990000000000000001' && l.kind === 'like')).toBe(true);
    // 31 likes down to the tracked one, then 20 older ones in a row end the scan: three pages of 20
    const rows = s.x.requestsTo('liked_tweets').filter((r) => r.userId === late.id).reduce((a, r) => a + r.returnedPosts, 0);
    expect(rows).toBeLessThanOrEqual(60);
  });

  it('on a fresh UTC day a member with a few new likes waits, and is read before a post they may have liked leaves the window', async () => {
    const s = await sim({ ...small, seed: 97, quietAfterEnd: true });
    await s.advanceTo(SIM_END);
    expect((await s.run()).status).toBe('succeeded');
    const midnight = SIM_END + 12 * 3_600_000;
    // a tracked post the member has not liked; it leaves the window at noon the next day
    const { m, posts: [q] } = likeTargets(s);
    const leaves = (await s.stores.tweets.get(q!))!.submittedAt + 24 * 3_600_000;
    expect(leaves).toBeGreaterThan(midnight + 6 * 3_600_000);
    s.sc.advanceTo(midnight + 30 * 60_000);
    s.sc.state.like(m.id, q!);
    const noise = s.sc.state.addUser({ username: 'wait_noise' });
    for (let i = 0; i < 2; i++) s.sc.state.like(m.id, s.sc.state.addTweet({ authorId: noise.id }).id);
    const key = `${q}|${m.id}|like`;
    const readsOfM = () => s.x.requestsTo('liked_tweets').filter((r) => r.userId === m.id && r.at > midnight);
    // hourly runs: the member waits (a page of 10 would bill 7 of yesterday's likes again) ...
    expect((await s.run()).status).toBe('succeeded');
    expect(readsOfM()).toEqual([]);
    while (!(await s.awarded()).has(key)) {
      expect(s.sc.now()).toBeLessThan(leaves);
      s.sc.advanceTo(s.sc.now() + 3_600_000);
      expect((await s.run()).status).toBe('succeeded');
    }
    // ... and is read once the post comes within 3 hours of leaving the window
    expect(s.sc.now()).toBeGreaterThanOrEqual(leaves - 3 * 3_600_000);
    expect(readsOfM().length).toBe(1);
  });

  it('a saved paging position X no longer accepts is read again from the newest, not a run failure', async () => {
    const s = await sim({ ...small, seed: 59, quietAfterEnd: true });
    await s.advanceTo(SIM_END);
    expect((await s.run()).status).toBe('succeeded');
    const { m, discordId, posts: [q] } = likeTargets(s);
    const wm = new WatermarkStore(s.stores.ctx);
    const mark = (await wm.memberMarks([discordId])).get(discordId)!;
    await wm.commitMember(discordId, { ...mark, likeResume: { token: 'stale-token', top: mark.likeTop, count: mark.likeCount } }, [], new Set());
    s.sc.advanceTo(s.sc.now() + 60_000);
    s.sc.state.like(m.id, q!);
    const out = await s.run();
    expect(out.status).toBe('succeeded');
    expect(out.stats.resumeRestarted).toBe(1);
    expect(await s.awarded()).toContain(`${q}|${m.id}|like`);
    expect((await wm.memberMarks([discordId])).get(discordId)!.likeResume).toBeUndefined();
  });

  it('awards nothing to a member who unlinks while the run is reading X', async () => {
    const s = await sim({ ...small, seed: 53 });
    await s.advanceTo(SIM_END);
    // the member with the most reposts, replies and quotes (found with the app token, not theirs)
    const counts = new Map<string, number>();
    for (const k of s.sc.truth()) if (!k.endsWith('|like')) counts.set(k.split('|')[1]!, (counts.get(k.split('|')[1]!) ?? 0) + 1);
    const xId = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const id = memberDiscordId(s.sc.members.findIndex((m) => m.id === xId));
    // hold the first X request until the member has unlinked (the run has loaded them by then)
    s.x.fail({ endpoint: 'tweets_lookup', delayMs: 1500 });
    const running = s.run();
    await vi.waitFor(() => expect(s.x.requestsTo('tweets_lookup')).toHaveLength(1), { timeout: 10_000, interval: 5 });
    await s.stores.connections.unlink(id, 'test');
    const out = await running;
    expect(out.stats.awarded).toBeGreaterThan(0);
    expect((await s.stores.ledger.logsForMember(id)).total).toBe(0);
    expect([...(await s.awarded())].filter((k) => k.includes(`|${xId}|`))).toEqual([]);
  });

  it('skips (exit 0, recorded as skipped) while a live run holds the lock; takes over from one whose heartbeat stopped', async () => {
    const s = await sim({ ...small, seed: 17, tweets: 2 });
    const other = await s.stores.batches.create({ trigger: 'schedule' });
    const held = (await s.stores.batches.acquireLock(other.id, 60_000))!;
    const out = await s.run();
    expect(out).toMatchObject({ status: 'skipped', exitCode: 0 });
    expect(await s.stores.batches.get(out.runId)).toMatchObject({ status: 'skipped', error: expect.stringContaining(other.id) });
    expect((await s.stores.batches.get(other.id))!.status).toBe('running');
    // 21 s without a heartbeat (4 missed beats of 5 s): the holder is dead, long before its 60 s lock expires.
    s.sc.advanceTo(s.sc.now() + 21_000);
    const next = await s.run();
    expect(next.status).toBe('succeeded');
    expect(await s.stores.batches.get(other.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/No heartbeat for 21 s.*took the lock over/) });
    expect(await s.stores.batches.renewLock(other.id, held.fence, 60_000)).toBe(false);
    expect(await s.stores.batches.lockHolder()).toBeNull();
  });

  it('ends partial on rate limits and the follow-up runs miss nothing', async () => {
    const s = await sim({ ...small, seed: 19, members: 250, tweets: 20, quietAfterEnd: true }, { limits: { users_lookup: { app: 1 }, liked_tweets: { user: 1 } } });
    await s.advanceTo(SIM_END);
    const statuses: string[] = [];
    for (let i = 0; i < 12; i++) {
      const out = await s.run();
      if (process.env.DEBUG_BATCH) console.log(out.status, out.plan?.likes, out.plan?.posts, out.plan?.estimate, out.stats);
      statuses.push(out.status);
      if (out.status === 'succeeded') break;
      expect(out.exitCode).toBe(4);
      s.sc.advanceTo(s.sc.now() + 15 * 60_000);
    }
    expect(statuses[0]).toBe('partial');
    expect(statuses.at(-1)).toBe('succeeded');
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    const r = score(s.sc.truth(), await s.awarded());
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
  });

  /** 250 members, one users_lookup a window: posts submitted by 10:00 leave the window (2h10m) at 12:10, before a run at 12:00 can reach everyone. */
  async function throttledBeforeWindowEnd(members = 250) {
    const s = await sim({ ...small, seed: 29, members, tweets: 20, quietAfterEnd: true }, { limits: { users_lookup: { app: 1 }, liked_tweets: { user: 1 } } });
    // Posts submitted by 10:00 are recorded then (their window, 2h10m here, ends at 12:10); the rest at 12:00.
    await s.advanceTo(SIM_END - 2 * 3_600_000);
    const leaving = new Set((await s.stores.tweets.listInWindow(0, s.sc.now())).map((t) => t.tweetId));
    await s.advanceTo(SIM_END);
    return { s, leaving, windowMs: 2 * 3_600_000 + 10 * 60_000 };
  }

  it('throttled: posts about to leave the window are read from their side before the run stops', async () => {
    const { s, leaving, windowMs } = await throttledBeforeWindowEnd();
    // Every member engagement on the posts leaving at 12:10: their side shows reposts, replies, quotes and
    // likes of members' own posts; likes of outside authors' posts come from the members not reached yet.
    const want = [...s.sc.truth()].filter((k) => leaving.has(k.split('|')[0]!));
    expect(want.filter((k) => k.endsWith('|like')).length).toBeGreaterThan(0);
    expect(want.length).toBeGreaterThan(3);
    const first = await s.run({ windowMs });
    expect(first.status).toBe('partial');
    expect(first.stats.deadlineReads).toBeGreaterThan(0);
    expect(first.stats.deadlineLikeReads).toBeGreaterThan(0);
    const got = await s.awarded();
    expect(want.filter((k) => !got.has(k))).toEqual([]);
    // Posts still in the window after the rate limit are found by the follow-up runs.
    for (let i = 0; i < 12; i++) {
      s.sc.advanceTo(s.sc.now() + 15 * 60_000);
      if ((await s.run({ windowMs })).status === 'succeeded') break;
    }
    const r = score(s.sc.truth(), await s.awarded());
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
  });

  it('a throttled run spends at most its budget on likes reads for posts leaving the window, and reports it', async () => {
    const { s } = await throttledBeforeWindowEnd();
    const budget = 0.3;
    const from = s.x.requests.length;
    const first = await s.run({ windowMs: 2 * 3_600_000 + 10 * 60_000, deadlineLikesBudgetUsd: budget });
    expect(first.status).toBe('partial');
    expect(first.stats.deadlineLikesBudgetReached).toBe(1);
    expect(first.stats.deadlineLikesUsd).toBeGreaterThan(0);
    expect(first.stats.deadlineLikesUsd).toBeLessThanOrEqual(budget);
    expect(first.stats.unreadAtWindowEnd).toBeGreaterThan(0);
    // What X billed for the likes of the members the stopped sweep had not looked up (only these reads ask for them).
    const sent = s.x.requests.slice(from);
    const reached = new Set(sent.filter((r) => r.endpoint === 'users_lookup' && r.status === 200).flatMap((r) => r.query.ids!.split(',')));
    const billed = sent.filter((r) => r.endpoint === 'liked_tweets' && !reached.has(r.userId!)).reduce((a, r) => a + r.costUsd, 0);
    expect(billed).toBeGreaterThan(0);
    expect(billed).toBeLessThanOrEqual(budget + 1e-9);
    expect(first.stats.deadlineLikesUsd).toBeCloseTo(billed, 4);
  });

  it('throttled: posts leaving the window before the next scheduled run are read first, not only those leaving before X reopens', async () => {
    // 150 members, one users_lookup a window: the 12:00 run looks 100 up and stops until 12:15; the other
    // 50 fit in the next window. Posts leaving at 12:20 are lost unless read now when the next run is at 12:30.
    const windowMs = 2 * 3_600_000 + 20 * 60_000;
    const leavingAt1220 = async (s: Sim, leaving: Set<string>) => [...s.sc.truth()].filter((k) => leaving.has(k.split('|')[0]!));
    const assumed = await throttledBeforeWindowEnd(150);
    const soon = await assumed.s.run({ windowMs });
    expect(soon.status).toBe('partial');
    expect(soon.stats.deadlineReads).toBeUndefined();
    const want = await leavingAt1220(assumed.s, assumed.leaving);
    expect(want.length).toBeGreaterThan(3);
    const missed = await assumed.s.awarded();
    expect(want.filter((k) => !missed.has(k)).length).toBeGreaterThan(0);

    const scheduled = await throttledBeforeWindowEnd(150);
    const out = await scheduled.s.run({ windowMs, nextRunAt: nextRunOf('*/30 * * * *', 'Etc/UTC') });
    expect(out.status).toBe('partial');
    expect(out.stats.deadlineReads).toBeGreaterThan(0);
    const got = await scheduled.s.awarded();
    expect((await leavingAt1220(scheduled.s, scheduled.leaving)).filter((k) => !got.has(k))).toEqual([]);
  });

  it('a sweep resumed after members linked reads them too, even with ids before its cursor', async () => {
    const s = await sim({ ...small, seed: 67, members: 250, tweets: 12, quietAfterEnd: true }, { limits: { users_lookup: { app: 1 } } });
    await s.advanceTo(SIM_END);
    // someone who liked a tracked post (by an outside account) before the first run, and links later
    const q = s.sc.tracked.find((p) => !s.sc.members.some((m) => m.id === p.tweet.authorId))!.tweet.id;
    const late = s.sc.state.addUser({ username: 'late_linker' });
    s.sc.state.like(late.id, q);
    const first = await s.run();
    expect(first.status).toBe('partial');
    const t = s.sc.state.issueTokens(late.id);
    const lateId = '100000000000000000'; // sorts before every scenario member (and the sweep's cursor)
    await s.stores.connections.link({
      discordId: lateId, displayName: 'late', xUserId: late.id, handle: late.username, scopes: t.scopes,
      tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken!, expiresAt: t.expiresAt, scopes: t.scopes },
    });
    for (let i = 0; i < 12; i++) {
      s.sc.advanceTo(s.sc.now() + 15 * 60_000);
      if ((await s.run()).status === 'succeeded') break;
    }
    s.sc.advanceTo(s.sc.now() + 15 * 60_000);
    expect((await s.run()).status).toBe('succeeded');
    const logs = await s.stores.ledger.logsForTweet(q);
    expect(logs.some((l) => l.discordId === lateId && l.kind === 'like')).toBe(true);
  });

  it("an author who revoked the app on X: their post's likes are found from the likers' side, and the run does not fail", async () => {
    const s = await sim({ ...small, seed: 71, ownPostShare: 1, quietAfterEnd: true });
    await s.advanceTo(SIM_END);
    expect((await s.run()).status).toBe('succeeded');
    const truth = s.sc.truth();
    // a member's post, and a member who is neither its author nor its submitter and has not liked it
    const p = s.sc.tracked.find((t) => s.sc.members.some((m) => m.id === t.tweet.authorId))!;
    const fan = s.sc.members.find((m, i) => i !== p.submitter && m.id !== p.tweet.authorId && !truth.has(`${p.tweet.id}|${m.id}|like`))!;
    s.sc.advanceTo(s.sc.now() + 60_000);
    s.sc.state.like(fan.id, p.tweet.id);
    s.sc.state.revokeUser(p.tweet.authorId);
    // as if no member had been looked up yet (every lookup still to be billed), so the author's liking_users is cheapest
    for (let i = 0; i < s.sc.members.length; i++) await redis.hdel(s.stores.keys.wmMember(memberDiscordId(i)), 'seenAt');
    const first = await s.run();
    expect(first.plan!.likes).toBe('authors');
    expect(first.status).toBe('succeeded');
    expect(first.stats.tweetReadsSkipped).toBe(1);
    const author = (await s.stores.connections.getByXUserId(p.tweet.authorId))!;
    expect(author.status).toBe('needs_reconnect');
    const second = await s.run();
    expect(second.status).toBe('succeeded');
    expect(await s.awarded()).toContain(`${p.tweet.id}|${fan.id}|like`);
  });

  it('retries 5xx, refreshes expired tokens once, and skips revoked members without failing', async () => {
    const s = await sim({ ...small, seed: 23 });
    await s.advanceTo(SIM_END);
    const revoked = s.sc.members[0]!;
    const expired = s.sc.members[1]!;
    s.sc.state.revokeUser(revoked.id);
    s.sc.state.expireAccessTokens(expired.id);
    const gone = s.sc.tracked.at(-1)!.tweet.id;
    s.sc.state.deleteTweet(gone);
    s.sc.state.suspendUser(s.sc.members[2]!.id);
    s.x.fail({ endpoint: 'tweets_lookup', status: 503, count: 2 });
    s.x.fail({ endpoint: 'users_lookup', status: 500 });
    const out = await s.run();
    expect(out.status).toBe('succeeded');
    expect(out.stats.retries).toBeGreaterThanOrEqual(3);
    expect(out.stats.tweetsDeleted).toBe(1);
    expect((await s.stores.tweets.get(gone))!.status).toBe('deleted');
    expect(out.stats.membersUnavailable).toBe(1);
    const conn = await s.stores.connections.get(memberDiscordId(0));
    if (s.sc.state.likesByUser.get(revoked.id)?.length) expect(conn!.status).toBe('needs_reconnect');
    const tokens = await s.stores.connections.getTokens(memberDiscordId(1));
    if (s.sc.state.likesByUser.get(expired.id)?.length) expect(tokens!.expiresAt).toBeGreaterThan(s.sc.now());
    // everything not hidden behind the revoked member's likes was found
    const suspended = s.sc.members[2]!.id;
    const truth = [...s.sc.truth()].filter((k) => !k.includes(`|${revoked.id}|like`) && !k.startsWith(`${gone}|`) && !k.includes(`|${suspended}|`));
    const got = await s.awarded();
    expect(truth.filter((k) => !got.has(k))).toEqual([]);
  });

  it('retries a request that timed out', async () => {
    const s = await sim({ ...small, seed: 29, tweets: 3 }, { timeoutMs: 600 });
    await s.advanceTo(SIM_END);
    s.x.fail({ endpoint: 'tweets_lookup', delayMs: 1500 });
    const out = await s.run();
    expect(out.status).toBe('succeeded');
    expect(out.stats.retries).toBe(1);
    expect(out.stats.requests_tweets_lookup).toBe(2);
  });

  it('stops as partial on a 429 it could not foresee, and resumes after the window', async () => {
    const s = await sim({ ...small, seed: 41, quietAfterEnd: true }, { limits: { users_lookup: { app: 1 } } });
    await s.advanceTo(SIM_END);
    // Someone else (another process on the same app) used the window up.
    await s.factory.app().v2.users([s.sc.members[0]!.id]);
    const first = await s.run();
    expect(first).toMatchObject({ status: 'partial', exitCode: 4 });
    expect(first.stats.rateLimited).toBe(1);
    expect(first.resumeAt).toBeGreaterThan(s.sc.now());
    expect((await s.stores.batches.get(first.runId))!.status).toBe('partial');
    s.sc.advanceTo(first.resumeAt!);
    const second = await s.run();
    expect(second.status).toBe('succeeded');
    expect(score(s.sc.truth(), await s.awarded()).missed).toEqual([]);
  });

  /**
   * The member (index) with the most likes of tracked posts, with their own X window of liked_tweets
   * used up by another client of theirs (a 429 the run could not foresee).
   */
  async function burnMemberLikes(s: Sim, perWindow: number) {
    const truth = s.sc.truth();
    const likes = (id: string) => [...truth].filter((k) => k.endsWith(`|${id}|like`));
    const idx = s.sc.members.reduce((best, m, i) => (likes(m.id).length > likes(s.sc.members[best]!.id).length ? i : best), 0);
    const m = s.sc.members[idx]!;
    expect(likes(m.id).length).toBeGreaterThan(0);
    const own = s.factory.user(s.sc.state.issueTokens(m.id).accessToken);
    for (let i = 0; i < perWindow; i++) await own.v2.get(`users/${m.id}/liked_tweets`, { max_results: 10 });
    return { m, discordId: memberDiscordId(idx), likes: likes(m.id) };
  }

  it("one member's used-up X rate limit skips that member only: the others are awarded, the run ends partial, the next run reads them", async () => {
    const s = await sim({ ...small, seed: 89, quietAfterEnd: true }, { limits: { liked_tweets: { user: 5 } } });
    await s.advanceTo(SIM_END);
    const { m, discordId, likes } = await burnMemberLikes(s, 5);
    const first = await s.run({ throttledWaitMs: 0 });
    expect(first.status).toBe('partial');
    expect(first.stats.stopped_rate_limited).toBeUndefined();
    expect(first.stats.readsThrottled).toBe(1);
    expect(first.stats.throttledForNextRun).toBe(1);
    expect(first.error).toMatch(/1 read\(s\) skipped: the member's own X rate limit/);
    // everyone else's engagement was read and awarded; this member's likes wait
    const truth = s.sc.truth();
    const got = await s.awarded();
    expect([...truth].filter((k) => !k.includes(`|${m.id}|like`) && !got.has(k))).toEqual([]);
    expect(likes.filter((k) => !got.has(k)).length).toBeGreaterThan(0);
    const wm = new WatermarkStore(s.stores.ctx);
    expect(await wm.refusedReads()).toMatchObject({ [`member:${discordId}`]: { endpoint: 'liked_tweets', status: 429, runId: first.runId } });
    s.sc.advanceTo(s.sc.now() + 15 * 60_000);
    const second = await s.run();
    expect(second.status).toBe('succeeded');
    expect(await wm.refusedReads()).toEqual({});
    const r = score(truth, await s.awarded());
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
  });

  it("a member's X rate limit that reopens soon is waited for, and the member read again in the same run", async () => {
    const s = await sim({ ...small, seed: 97, quietAfterEnd: true }, { limits: { liked_tweets: { user: 5 } } });
    await s.advanceTo(SIM_END);
    await burnMemberLikes(s, 5);
    // the member's window reopens 30 s after the run starts
    s.sc.advanceTo(s.sc.now() + 14.5 * 60_000);
    const slept: number[] = [];
    const out = await s.run({}, {
      sleep: async (ms) => {
        slept.push(ms);
        s.sc.advanceTo(s.sc.now() + ms);
      },
    });
    expect(out.status).toBe('succeeded');
    expect(out.stats.readsThrottled).toBe(1);
    expect(out.stats.throttledRetried).toBe(1);
    expect(Math.max(...slept)).toBeGreaterThanOrEqual(30_000);
    expect(Math.max(...slept)).toBeLessThanOrEqual(60_000);
    const r = score(s.sc.truth(), await s.awarded());
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
  });

  it("a run asked to stop (SIGTERM) while it waits for a member's X rate limit stops waiting, awards what it found and ends partial", async () => {
    const s = await sim({ ...small, seed: 97, quietAfterEnd: true }, { limits: { liked_tweets: { user: 5 } } });
    await s.advanceTo(SIM_END);
    const { m } = await burnMemberLikes(s, 5);
    s.sc.advanceTo(s.sc.now() + 14.5 * 60_000);
    const stop = new AbortController();
    // The wait for the member's window never ends by itself: only the stop request ends it.
    const out = await s.run({ signal: stop.signal }, {
      sleep: (ms) => {
        if (ms < 30_000) return Promise.resolve();
        stop.abort();
        return new Promise<void>(() => {});
      },
    });
    expect(out.status).toBe('partial');
    expect(out.stats.stopped_cancelled).toBe(1);
    expect(out.stats.throttledRetried).toBe(1);
    const truth = s.sc.truth();
    const got = await s.awarded();
    expect(got.size).toBeGreaterThan(0);
    expect([...truth].filter((k) => !k.includes(`|${m.id}|like`) && !got.has(k))).toEqual([]);
    expect(await s.stores.batches.get(out.runId)).toMatchObject({ status: 'partial' });
  }, 120_000);

  it('--tweet narrows the awards to one post and leaves the rest for the next full run', async () => {
    const s = await sim({ ...small, seed: 43, quietAfterEnd: true });
    await s.advanceTo(SIM_END - 2 * 3_600_000);
    expect((await s.run()).status).toBe('succeeded');
    await s.advanceTo(SIM_END);
    const truth = s.sc.truth();
    const before = await s.awarded();
    // a post by an outside account with new member likes: only members' own reads can see those
    const outside = new Set(s.sc.tracked.filter((p) => !s.sc.members.some((m) => m.id === p.tweet.authorId)).map((p) => p.tweet.id));
    const target = [...truth].find((k) => !before.has(k) && k.endsWith('|like') && outside.has(k.split('|')[0]!))!.split('|')[0]!;
    const one = await s.run({ tweetId: target });
    expect(one.status).toBe('succeeded');
    const after = await s.awarded();
    expect([...after].filter((k) => !before.has(k)).every((k) => k.startsWith(`${target}|`))).toBe(true);
    expect([...truth].filter((k) => k.startsWith(`${target}|`)).every((k) => after.has(k))).toBe(true);
    expect((await s.run()).status).toBe('succeeded');
    const r = score(truth, await s.awarded());
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
  });

  /** Half an hour later the next run reads again what X refused: it succeeds, the records are cleared, nothing is missed. */
  async function nextRunReadsAgain(s: Sim, wm: WatermarkStore) {
    s.sc.advanceTo(s.sc.now() + HALF_HOUR);
    expect((await s.run()).status).toBe('succeeded');
    expect(await wm.refusedReads()).toEqual({});
    const r = score(s.sc.truth(), await s.awarded());
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
  }

  it('a read X refuses (400) is recorded against the member, the run ends partial, and the next run retries it', async () => {
    const s = await sim({ ...small, seed: 71, quietAfterEnd: true });
    await s.advanceTo(SIM_END);
    s.x.fail({ endpoint: 'liked_tweets', status: 400, count: 1 });
    const first = await s.run();
    expect(first.status).toBe('partial');
    expect(first.stats.readsRefused).toBe(1);
    expect(first.error).toMatch(/X refused 1 read.*liked_tweets 400/);
    const wm = new WatermarkStore(s.stores.ctx);
    const refused = await wm.refusedReads();
    expect(Object.keys(refused)).toEqual([expect.stringMatching(/^member:/)]);
    expect(Object.values(refused)[0]).toMatchObject({ endpoint: 'liked_tweets', status: 400, runId: first.runId });
    // awards from everyone else were made; the next run reads that member again and clears the record
    expect((await s.awarded()).size).toBeGreaterThan(0);
    await nextRunReadsAgain(s, wm);
  });

  it('a post-side read X refuses (403) is recorded against the post, the run ends partial, and the next run reads it again', async () => {
    const s = await sim({ ...small, seed: 101, quietAfterEnd: true });
    await s.advanceTo(SIM_END);
    expect((await s.run()).status).toBe('succeeded');
    const { m, posts } = likeTargets(s);
    const q = posts.find((id) => !s.sc.truth().has(`${id}|${m.id}|retweet`))!;
    s.sc.advanceTo(s.sc.now() + 60_000);
    s.sc.state.retweet(m.id, q);
    // as if no member had been looked up yet (every lookup still to be billed): one new repost is cheapest read from the post's side
    for (let i = 0; i < s.sc.members.length; i++) await redis.hdel(s.stores.keys.wmMember(memberDiscordId(i)), 'seenAt');
    s.x.fail({ endpoint: 'retweeted_by', status: 403, count: 1 });
    const first = await s.run();
    expect(first.plan!.posts).toBe('tweets');
    expect(first.status).toBe('partial');
    expect(first.stats.readsRefused).toBe(1);
    expect(first.error).toMatch(new RegExp(`post ${q} retweeted_by 403`));
    const wm = new WatermarkStore(s.stores.ctx);
    expect(await wm.refusedReads()).toMatchObject({ [`post:${q}`]: { endpoint: 'retweeted_by', status: 403, runId: first.runId } });
    expect(await s.awarded()).not.toContain(`${q}|${m.id}|retweet`);
    s.sc.advanceTo(s.sc.now() + HALF_HOUR);
    expect((await s.run()).status).toBe('succeeded');
    expect(await wm.refusedReads()).toEqual({});
    expect(await s.awarded()).toContain(`${q}|${m.id}|retweet`);
    expect(score(s.sc.truth(), await s.awarded()).missed).toEqual([]);
  });

  it("a member search X refuses (400) is recorded against that query's members, the run ends partial, and the next run searches them again", async () => {
    const s = await sim({ ...small, seed: 103, quietAfterEnd: true });
    await s.advanceTo(SIM_END - 3_600_000);
    expect((await s.run()).status).toBe('succeeded');
    await s.advanceTo(SIM_END);
    s.x.fail({ endpoint: 'search_recent', status: 400, count: 1 });
    const first = await s.run();
    expect(first.plan!.posts).toBe('search');
    expect(first.status).toBe('partial');
    expect(first.stats.readsRefused).toBeGreaterThan(0);
    const wm = new WatermarkStore(s.stores.ctx);
    const refused = Object.entries(await wm.refusedReads());
    expect(refused.length).toBe(first.stats.readsRefused);
    for (const [k, v] of refused) {
      expect(k).toMatch(/^member:/);
      expect(v).toMatchObject({ endpoint: 'search_recent', status: 400, runId: first.runId });
    }
    await nextRunReadsAgain(s, wm);
  });

  it("finds a protected member's reposts and replies (search never shows them) through their own token", async () => {
    const s = await sim({ ...small, seed: 73, quietAfterEnd: true });
    await s.advanceTo(SIM_END - 3_600_000);
    expect((await s.run()).status).toBe('succeeded');
    const { m, posts: [q] } = likeTargets(s);
    s.sc.state.users.get(m.id)!.protected = true;
    const rt = s.sc.state.retweet(m.id, q!);
    s.sc.state.reply(m.id, q!);
    expect((await s.factory.app().v2.search(`from:${m.id}`)).tweets.map((t) => t.id)).not.toContain(rt.id);
    await s.advanceTo(SIM_END);
    expect((await s.run()).status).toBe('succeeded');
    const got = await s.awarded();
    expect(got).toContain(`${q}|${m.id}|retweet`);
    expect(got).toContain(`${q}|${m.id}|reply`);
    expect(s.x.requestsTo('user_tweets').some((r) => r.auth === 'user' && r.userId === m.id)).toBe(true);
  });

  it('a post submitted after members engaged with it: their engagement is found, the outsiders\' is never billed', async () => {
    const s = await sim({ ...small, seed: 83, quietAfterEnd: true });
    await s.advanceTo(SIM_END - 2 * 3_600_000);
    expect((await s.run()).status).toBe('succeeded');
    const { m, posts: [q] } = likeTargets(s);
    const author = s.sc.state.addUser({ username: 'fresh_author' });
    const p = s.sc.state.addTweet({ authorId: author.id, text: 'not tracked yet' });
    const outsiders = Array.from({ length: 6 }, (_, k) => s.sc.state.addUser({ username: `fresh_out${k}` }));
    const noise = outsiders.flatMap((o) => [s.sc.state.reply(o.id, p.id).id, s.sc.state.retweet(o.id, p.id).id]);
    // The member replies to and reposts the post, and reposts a tracked one: their next search runs
    // before the post is tracked (its id is not in that search), so it cannot find these.
    const reply = s.sc.state.reply(m.id, p.id);
    s.sc.state.retweet(m.id, p.id);
    s.sc.state.retweet(m.id, q!);
    await s.advanceTo(SIM_END - 3_600_000);
    const before = await s.run();
    expect(before.plan?.posts).toBe('search');
    s.sc.tracked.push({ tweet: { id: p.id, authorId: author.id, createdAt: p.createdAt, text: p.text }, submitter: s.sc.members.findIndex((x) => x.id !== m.id), submittedAt: s.sc.now() + 60_000 });
    await s.advanceTo(SIM_END);
    const from = s.x.requests.length;
    const out = await s.run();
    expect(out.status).toBe('succeeded');
    const got = await s.awarded();
    expect(got).toContain(`${p.id}|${m.id}|reply`);
    expect(got).toContain(`${p.id}|${m.id}|retweet`);
    // narrow queries (from: the members who searched since the post was created): no outsider post billed
    const billed = s.x.requests.slice(from).flatMap((r) => r.billed?.posts ?? []);
    expect(billed).toContain(reply.id);
    expect(billed.filter((id) => noise.includes(id))).toEqual([]);
  });

  it("estimates each run's cost as X bills it (once per UTC day, across runs)", async () => {
    const s = await sim({ ...small, seed: 79 });
    for (const t of [SIM_END - 3_600_000, SIM_END - HALF_HOUR, SIM_END]) {
      await s.advanceTo(t);
      const from = s.x.requests.length;
      const out = await s.run();
      const billed = s.x.requests.slice(from).reduce((a, r) => a + r.costUsd, 0);
      expect(out.stats.costUsd ?? 0).toBeCloseTo(billed, 4);
    }
  });

  it("tells a member whose grant died to reconnect, once, by Discord DM, and still finds their likes of linked members' posts", async () => {
    const { startDiscordDouble } = await import('@engagement-tracker/sandbox/discord');
    const discordIds = Array.from({ length: 40 }, (_, i) => memberDiscordId(i));
    const discord = await startDiscordDouble({ guilds: [{ id: '900000000000000001', name: 'g', members: discordIds.map((id) => ({ id, username: `u${id}` })) }] });
    try {
      const notify = createDiscordDmNotifier({ apiBaseUrl: discord.url, botToken: discord.botToken, logger: createLogger('test', 'silent') });
      const s = await sim({ ...small, seed: 83, ownPostShare: 1, quietAfterEnd: true }, { notify });
      await s.advanceTo(SIM_END - 3_600_000);
      expect((await s.run()).status).toBe('succeeded');
      // member 0's grant dies; they like a post by another (linked) member
      const dead = s.sc.members[0]!;
      s.sc.state.revokeUser(dead.id);
      const p = s.sc.tracked.find((t) => t.tweet.authorId !== dead.id && t.submitter !== 0 && !s.sc.truth().has(`${t.tweet.id}|${dead.id}|like`))!;
      s.sc.state.like(dead.id, p.tweet.id);
      s.sc.state.like(s.sc.members[1]!.id === p.tweet.authorId ? s.sc.members[2]!.id : s.sc.members[1]!.id, p.tweet.id);
      await s.advanceTo(SIM_END - HALF_HOUR);
      await s.run();
      await s.advanceTo(SIM_END);
      await s.run();
      expect((await s.stores.connections.get(memberDiscordId(0)))!.status).toBe('needs_reconnect');
      expect(await s.awarded()).toContain(`${p.tweet.id}|${dead.id}|like`);
      expect(s.x.requestsTo('liking_users').some((r) => r.path.includes(p.tweet.id))).toBe(true);
      const dms = discord.dms(memberDiscordId(0));
      expect(dms).toHaveLength(1);
      expect(dms[0]!.content).toContain('/connect');
    } finally {
      await discord.close();
    }
  });
});

