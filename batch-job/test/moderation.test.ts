import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { memberDiscordId } from '@engagement-tracker/sandbox/x';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { score, SIM_END, startSim, type Sim } from './harness';

let server: TestRedisServer;
let redis: Redis;
const sims: Sim[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = server.client();
});
afterAll(async () => {
  for (const s of sims) await s.close();
  await server.stop();
});

const small = { seed: 21, members: 30, tweets: 12, memberRates: { like: 5, retweet: 2, reply: 1.5, quote: 1 }, outsiderRates: { like: 10, retweet: 2, reply: 2, quote: 1 } };

describe('moderation in a batch run', () => {
  it('never reads X for a banned member and awards them nothing, while the others are awarded', async () => {
    const s = await startSim(redis, small);
    sims.push(s);
    await s.advanceTo(SIM_END);
    const truth = s.sc.truth();
    // the member with the most engagement gets banned
    const byMember = new Map<string, number>();
    for (const k of truth) byMember.set(k.split('|')[1]!, (byMember.get(k.split('|')[1]!) ?? 0) + 1);
    const [xId] = [...byMember.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const idx = s.sc.members.findIndex((m) => m.id === xId);
    const discordId = memberDiscordId(idx);
    await s.stores.bans.ban(discordId, 'engagement ring', 'admin:1');
    const out = await s.run();
    expect(out.status).toBe('succeeded');
    expect(out.stats.membersBanned).toBe(1);
    const aboutThem = s.x.requests.filter((q) =>
      q.path.includes(`/users/${xId}/`) || (q.query.ids ?? '').split(',').includes(xId) || (q.query.query ?? '').includes(`from:${xId}`) || q.userId === xId);
    expect(aboutThem).toEqual([]);
    const awarded = await s.awarded();
    expect([...awarded].filter((k) => k.split('|')[1] === xId)).toEqual([]);
    expect([...awarded].filter((k) => truth.has(k)).length).toBe(awarded.size);
    expect(awarded.size).toBe([...truth].filter((k) => k.split('|')[1] !== xId).length);
    expect((await s.stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('holds an ineligible member\'s engagements with the reason, keeps them pending, and awards them once the member qualifies', async () => {
    const s = await startSim(redis, { ...small, seed: 23, quietAfterEnd: true });
    sims.push(s);
    await s.advanceTo(SIM_END);
    await s.stores.moderation.update({ eligibility: { minFollowers: 1_000_000 } }, 'admin:1');
    const first = await s.run();
    expect(first.status).toBe('succeeded');
    expect(first.stats.awarded ?? 0).toBe(0);
    const truth = s.sc.truth();
    expect(first.stats.held).toBe(truth.size);
    expect(first.stats.held_ineligible).toBe(truth.size);
    const queue = await s.stores.review.open({ limit: 1000 });
    expect(queue.total).toBe(truth.size);
    expect(queue.items[0]).toMatchObject({ status: 'held', reason: 'ineligible', code: 'min_followers' });
    expect(queue.items[0]!.detail).toMatch(/you need 1000000 followers on X \(you have \d+\)/);
    // the daily user lookup recorded what the rule looks at
    const anyone = queue.items[0]!.discordId;
    expect((await s.stores.moderation.facts([anyone])).get(anyone)).toMatchObject({ followers: expect.any(Number), xCreatedAt: expect.any(Number), protected: false });
    // the admin lowers the bar: the next run (posts still in the window) awards what was held
    await s.stores.moderation.update({ eligibility: { minFollowers: 0 } }, 'admin:1');
    s.sc.advanceTo(SIM_END + 30 * 60_000);
    const second = await s.run();
    expect(second.stats.awarded).toBe(truth.size);
    const r = score(truth, await s.awarded());
    expect(r.missed).toEqual([]);
    expect(r.extra).toEqual([]);
    expect(await s.stores.review.open()).toMatchObject({ total: 0 });
    expect((await s.stores.review.get(queue.items[0]!.id))!.status).toBe('awarded');
    expect((await s.stores.ledger.checkConsistency()).drift).toEqual([]);
  });

  it('rejects short replies and copies (own earlier replies, others\' replies to the same post), records why, and awards the rest', async () => {
    const s = await startSim(redis, { ...small, seed: 29, quietAfterEnd: true });
    sims.push(s);
    await s.advanceTo(SIM_END);
    expect((await s.run()).status).toBe('succeeded');
    await s.stores.moderation.update({ replies: { minWords: 3, duplicateThreshold: 0.9 } }, 'admin:1');
    const truth = s.sc.truth();
    const authors = new Set(s.sc.members.map((m) => m.id));
    const [p, q] = s.sc.tracked.filter((t) => !authors.has(t.tweet.authorId)).map((t) => t.tweet.id);
    const fresh = (post: string) => (i: number) => !truth.has(`${post}|${s.sc.members[i]!.id}|reply`);
    const idx = s.sc.members.map((_, i) => i).filter((i) => fresh(p!)(i) && fresh(q!)(i) && !s.sc.tracked.some((t) => t.submitter === i));
    const [a, b] = idx.map((i) => ({ x: s.sc.members[i]!.id, discordId: memberDiscordId(i) }));
    let at = SIM_END + 60_000;
    const reply = (who: string, to: string, text: string) => s.sc.state.addTweet({ authorId: who, replyTo: to, text, createdAt: (at += 1000) });
    reply(a!.x, p!, 'This rollup design is genuinely clever @poster 🔥');
    reply(b!.x, p!, 'this rollup design is genuinely clever!! https://t.co/x');
    reply(a!.x, q!, 'This rollup design is genuinely clever');
    reply(b!.x, q!, 'gm gm 🚀🚀🚀');
    s.sc.advanceTo(SIM_END + 20 * 60_000);
    const out = await s.run();
    expect(out.status).toBe('succeeded');
    const held = (post: string, who: string) => s.stores.review.get(`${post}:${who}:reply`);
    expect(await held(p!, a!.discordId)).toBeNull();
    expect((await s.stores.ledger.getLog(`award:${p}:${a!.discordId}:reply`))?.points).toBeGreaterThan(0);
    expect(await held(p!, b!.discordId)).toMatchObject({ status: 'held', reason: 'reply', code: 'duplicate_other', text: expect.stringContaining('rollup') });
    expect(await held(q!, a!.discordId)).toMatchObject({ status: 'held', code: 'duplicate_own' });
    expect(await held(q!, b!.discordId)).toMatchObject({ status: 'held', code: 'too_few_words' });
    expect(await s.stores.review.rejectedReplies(b!.discordId)).toEqual(expect.arrayContaining([
      { code: 'duplicate_other', detail: "copy of another member's reply", count: 1 }, { code: 'too_few_words', detail: 'too few words', count: 1 },
    ]));
    expect(out.stats.held_reply).toBe(3);
    // rejected replies are final: the next run does not offer them again
    s.sc.advanceTo(SIM_END + 50 * 60_000);
    const again = await s.run();
    expect(again.stats.held ?? 0).toBe(0);
    expect((await s.stores.ledger.checkConsistency()).drift).toEqual([]);
  });
});
