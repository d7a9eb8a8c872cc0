/** A tiny hand-built community for the noOracle tests, its bound, and what the X double bills a strategy. */
import { createXClientFactory, SANDBOX_CREDENTIALS } from '@engagement-tracker/core';
import { buildRealistic, Scenario, snowflake, startXDouble, type XUser } from '@engagement-tracker/sandbox/x';
import { expect } from 'vitest';
import { References, WINDOW_MS } from '../../bench/references';

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
  /** Another tracked post by the brand, created at `createdAt` and submitted a minute later (its window ends 24 h after). */
  const track = (createdAt: number) => {
    const p = { id: snowflake(createdAt), authorId: brand.id, createdAt, text: 'tracked' };
    sc.schedule({ at: createdAt, userId: p.authorId, tweetId: p.id, kind: 'post', member: false, text: p.text });
    sc.tracked.push({ tweet: p, submitter: 0, submittedAt: createdAt + MIN });
    return p;
  };
  return { sc, members, post, untracked, like, track };
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

/**
 * A strategy without an oracle on a small realistic community over two days with a run every hour:
 * at each run where `readAt` says so (and at a member's first run after linking), it reads every
 * linked member's new likes (pages of 10 down to the newest like seen before) and new posts with
 * their own token. Checks it finds every engagement the truth counts (so it is a strategy the bound
 * speaks of) and returns the references and what the double billed.
 */
export async function readEverything(readAt: (t: number, sc: Scenario, runs: number[]) => boolean, seed = 5) {
  const start = Date.UTC(2026, 10, 22);
  const sc = buildRealistic({ seed, end: start + 2 * 24 * HOUR, days: 2, members: 40, tweetsPerDay: 20, historyDays: 1 });
  sc.state.accessTokenTtlMs = 7 * 24 * HOUR;
  const refs = new References(sc);
  const x = await startXDouble({ state: sc.state });
  const runs = Array.from({ length: 47 }, (_, i) => start + (i + 1) * HOUR);
  const seen = new Set<string>();
  try {
    const factory = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, bearerToken: SANDBOX_CREDENTIALS.TWITTER_BEARER_TOKEN, timeoutMs: 10_000 });
    const clients = new Map<string, ReturnType<typeof factory.user>>();
    const newestLike = new Map<string, string>();
    const newestPost = new Map<string, string>();
    const started = new Set<string>();
    type Page = { data?: Array<{ id: string; referenced_tweets?: Array<{ type: string; id: string }> }>; meta?: { next_token?: string } };
    for (const t of runs) {
      sc.advanceTo(t);
      refs.step(t);
      for (const [i, m] of sc.members.entries()) {
        if (sc.linkTime(i) > t || (started.has(m.id) && !readAt(t, sc, runs))) continue;
        started.add(m.id);
        let c = clients.get(m.id);
        if (!c) clients.set(m.id, (c = factory.user(sc.state.issueTokens(m.id).accessToken)));
        let token: string | undefined;
        let first: string | undefined;
        likes: do {
          const page: Page = await c.v2.get<Page>(`users/${m.id}/liked_tweets`, { max_results: 10, ...(token ? { pagination_token: token } : {}) });
          for (const d of page.data ?? []) {
            if (d.id === newestLike.get(m.id)) break likes;
            first ??= d.id;
            seen.add(`${d.id}|${m.id}|like`);
          }
          token = page.meta?.next_token;
          // A member's first read goes down the whole list: a like made before linking counts too.
        } while (token);
        if (first) newestLike.set(m.id, first);
        token = undefined;
        const since = newestPost.get(m.id);
        do {
          const page: Page = await c.v2.get<Page>(`users/${m.id}/tweets`, { max_results: 100, 'tweet.fields': 'referenced_tweets', ...(since ? { since_id: since } : {}), ...(token ? { pagination_token: token } : {}) });
          for (const d of page.data ?? []) {
            if (!token && d === page.data![0]) newestPost.set(m.id, d.id);
            const ref = d.referenced_tweets?.[0];
            if (ref) seen.add(`${ref.id}|${m.id}|${ref.type === 'retweeted' ? 'retweet' : ref.type === 'quoted' ? 'quote' : 'reply'}`);
          }
          token = page.meta?.next_token;
        } while (token);
      }
    }
  } finally {
    await x.close();
  }
  // It is a strategy that finds every engagement, so it is one the bound speaks of.
  const truth = sc.truth(runs[runs.length - 1]!, { windowMs: WINDOW_MS, runs });
  expect(truth.size).toBeGreaterThan(20);
  expect([...truth].filter((k) => !seen.has(k))).toEqual([]);
  return { refs, runs, billed: x.billing.summary().costUsd, billedOn: (day: string) => x.billing.summary(day).costUsd };
}
