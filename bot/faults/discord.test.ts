import { appendFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CaseResult } from '@engagement-tracker/sandbox/faults/verdict';
import type { XUser } from '@engagement-tracker/sandbox/x';
import { IDS, startStack, type Stack } from '../test/support/stack';

declare module 'vitest' {
  export interface ProvidedContext {
    faultsResults: string;
  }
}

/**
 * Discord misbehaving around the real bot process (the bot's own test stack: a real redis-server,
 * the Discord and X doubles). What must hold: every member gets an answer, a submission is stored
 * and announced exactly once, the ledger check is clean and the bot is ready again.
 */
let s: Stack;
let author: XUser;
const HOUR = 3_600_000;
const tokens = { accessToken: 'at', refreshToken: 'rt', expiresAt: Date.now() + HOUR, scopes: ['tweet.read', 'users.read', 'like.read', 'offline.access'] };

beforeAll(async () => {
  s = await startStack();
  author = s.x.state.addUser({ username: 'poster' });
  await s.stores.connections.link({ discordId: IDS.bob, displayName: 'bob', xUserId: '77001', handle: 'bob_x', scopes: tokens.scopes, tokens });
  // dave has the core role: no daily submission limit.
  await s.stores.connections.link({ discordId: IDS.dave, displayName: 'dave', xUserId: '77002', handle: 'dave_x', scopes: tokens.scopes, tokens });
}, 120_000);
afterAll(async () => s?.close());

/** /submit a fresh post as bob; the member's final answer, and how often the post was stored and announced. */
async function submitFresh(during?: () => void): Promise<{ tweetId: string; answer: string; announced: number }> {
  const t = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
  const pending = s.discord.interact({ as: IDS.dave, command: 'submit', channel: 'engagement-tracker', options: { url: `https://x.com/poster/status/${t.id}` } });
  during?.();
  const answer = (await (await pending).reply(15_000)).content;
  if (/^Submitted!/.test(answer)) await s.discord.waitForMessage('engagement-tracker', (m) => JSON.stringify(m.embeds).includes(t.id), 15_000);
  await new Promise((r) => setTimeout(r, 500)); // a duplicate announcement would land by now
  const announced = s.discord.messages('engagement-tracker').filter((m) => JSON.stringify(m.embeds).includes(t.id)).length;
  return { tweetId: t.id, answer, announced };
}

async function record(name: string, started: number, r: { tweetId: string; announced: number }): Promise<CaseResult> {
  const stored = await s.stores.tweets.get(r.tweetId);
  const { drift } = await s.stores.ledger.checkConsistency();
  const result: CaseResult = {
    case: name, faults: 1, lost: stored && r.announced >= 1 ? 0 : 1, doubled: Math.max(0, r.announced - 1), extra: 0,
    drift: drift.length, leftRunning: 0, falseFailures: 0, seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  await appendFile(inject('faultsResults'), `${JSON.stringify(result)}\n`);
  return result;
}

const ready = async () => (await fetch(`${s.bot.healthUrl}/readyz`)).status;

describe('Discord faults around the bot', () => {
  it('gateway dropped during an interaction: the member is answered, the bot resumes', async () => {
    const started = Date.now();
    // X holds the lookup, so the drop lands while the bot works on the interaction.
    s.x.fail({ endpoint: 'tweets_lookup', delayMs: 1_000, count: 1 });
    const r = await submitFresh(() => setTimeout(() => s.discord.gateway.dropConnections(), 300));
    expect(r.answer).toMatch(/^Submitted!/);
    await s.discord.waitForBot();
    await expect.poll(ready, { timeout: 30_000 }).toBe(200);
    expect(await record('discord-gateway-drop', started, r)).toMatchObject({ lost: 0, doubled: 0, drift: 0 });
  });

  it('429 on the interaction callback: retried after Retry-After, inside the 3 s deadline', async () => {
    const started = Date.now();
    s.discord.failRest({ method: 'POST', path: /^\/interactions\/\d+\/[^/]+\/callback$/, status: 429, retryAfterMs: 300, count: 1 });
    const r = await submitFresh();
    expect(r.answer).toMatch(/^Submitted!/);
    expect(await record('discord-429-callback', started, r)).toMatchObject({ lost: 0, doubled: 0, drift: 0 });
  });

  it('REST 5xx on the announcement: retried, announced once', async () => {
    const started = Date.now();
    s.discord.failRest({ method: 'POST', path: /^\/channels\/\d+\/messages$/, status: 503, count: 2 });
    const r = await submitFresh();
    expect(r.answer).toMatch(/^Submitted!/);
    expect(await ready()).toBe(200);
    expect(await record('discord-rest-5xx', started, r)).toMatchObject({ lost: 0, doubled: 0, drift: 0 });
  });

  it('SIGTERM of the bot mid-interaction: the member is still answered, the bot exits 0 within its grace period', async () => {
    const started = Date.now();
    // X holds the lookup past the bot's deferral (1.5 s): the signal comes while the answer is pending.
    s.x.fail({ endpoint: 'tweets_lookup', delayMs: 4_000, count: 1 });
    const t = s.x.state.addTweet({ authorId: author.id, createdAt: Date.now() - HOUR });
    const res = await s.discord.interact({ as: IDS.dave, command: 'submit', channel: 'engagement-tracker', options: { url: `https://x.com/poster/status/${t.id}` } });
    expect(res.type, JSON.stringify(res.data)).toBe(5); // deferred
    const t0 = Date.now();
    const exit = s.bot.stop('SIGTERM');
    const answer = (await res.reply(15_000)).content;
    expect(await exit).toBe(0);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(answer).toMatch(/^Submitted!/);
    await s.discord.waitForMessage('engagement-tracker', (m) => JSON.stringify(m.embeds).includes(t.id), 15_000);
    const announced = s.discord.messages('engagement-tracker').filter((m) => JSON.stringify(m.embeds).includes(t.id)).length;
    expect(await record('discord-sigterm-bot', started, { tweetId: t.id, announced })).toMatchObject({ lost: 0, doubled: 0, drift: 0 });
  });
});
