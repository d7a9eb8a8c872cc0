/** A tiny hand-built community for the noOracle tests, its bound, and what the X double bills a strategy. */
import { createXClientFactory, SANDBOX_CREDENTIALS } from '@engagement-tracker/core';
import { Scenario, snowflake, startXDouble, type XUser } from '@engagement-tracker/sandbox/x';
import { References } from '../../bench/references';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const end = Date.UTC(2026, 10, 24, 12, 0, 0);
export const t0 = end - 6 * HOUR;
export const run = t0 + 2 * HOUR;

/**
 * A tiny hand-built community: members (linked from the start), a brand and a long-tail author who
 * never link, one tracked post created at t0, and likes scheduled by the caller.
 */
export function community(o: { memberNames: string[]; author: 'brand' | number }) {
  const sc = new Scenario({ end, hours: 24 });
  const s = sc.state;
  const members = o.memberNames.map((name, i) => {
    const u = s.addUser({ id: String(1_000_000 + i), username: name });
    sc.members.push(u);
    return u;
  });
  const brand = s.addUser({ id: '900000001', username: 'brand' });
  const tail = s.addUser({ id: '3000000001', username: 'tail' });
  const authorId = o.author === 'brand' ? brand.id : members[o.author]!.id;
  const post = { id: snowflake(t0), authorId, createdAt: t0, text: 'tracked' };
  sc.schedule({ at: t0, userId: authorId, tweetId: post.id, kind: 'post', member: false, text: post.text });
  // submitted by the first member
  sc.tracked.push({ tweet: post, submitter: 0, submittedAt: t0 + MIN });
  let n = 0;
  /** An untracked post by the tail author, `ago` before t0. */
  const untracked = (ago = HOUR) => s.addTweet({ authorId: tail.id, createdAt: t0 - ago - ++n * 1000, text: 'elsewhere' }).id;
  const like = (who: XUser | string, tweetId: string, at: number, member = false) =>
    sc.schedule({ at, userId: typeof who === 'string' ? who : who.id, tweetId, kind: 'like', member });
  return { sc, members, post, untracked, like };
}

/** Step the references at each run and return the no-oracle bound (with and without X's page minimum) and the lower bound. */
export function bound(sc: Scenario, runs = [run]) {
  sc.seal();
  const refs = new References(sc);
  for (const t of runs) {
    sc.advanceTo(t);
    refs.step(t);
  }
  return { noOracle: refs.noOracle(), withoutPageMinimum: refs.noOracle(0), lowerBound: refs.total('lowerBound') };
}

/** What the X double bills for `read` (real twitter-api-v2 clients, members' own tokens). */
export async function billedFor(sc: Scenario, read: (c: { user: (u: XUser) => ReturnType<ReturnType<typeof createXClientFactory>['user']> }) => Promise<unknown>) {
  const x = await startXDouble({ state: sc.state });
  try {
    const factory = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, bearerToken: SANDBOX_CREDENTIALS.TWITTER_BEARER_TOKEN, timeoutMs: 10_000 });
    await read({ user: (u) => factory.user(sc.state.issueTokens(u.id).accessToken) });
    return x.billing.summary().costUsd;
  } finally {
    await x.close();
  }
}

