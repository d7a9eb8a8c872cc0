/**
 * A skeptical review of noOracle (bench/no-oracle.ts), step 5 above all: each doubt is a small
 * community where a concrete strategy without an oracle, run with the real client against the X
 * double, must be billed at least what the bound says (per UTC day too) while finding everything.
 */
import { createXClientFactory, SANDBOX_CREDENTIALS } from '@engagement-tracker/core';
import { startXDouble, type XUser } from '@engagement-tracker/sandbox/x';
import { describe, expect, it } from 'vitest';
import { References } from '../../bench/references';
import { community, end, HOUR, MIN, run, t0 } from './bound-community';

type Page = { data?: Array<{ id: string }>; meta?: { next_token?: string } };

/** Step the references and the X double together: `act(t, read)` is the strategy's reads at run t. */
async function playOut(
  sc: ReturnType<typeof community>['sc'],
  runs: number[],
  act: (t: number, read: (m: XUser, query?: Record<string, string | number>) => Promise<Page>) => Promise<void>,
) {
  sc.seal();
  sc.state.accessTokenTtlMs = 7 * 24 * HOUR;
  const refs = new References(sc);
  const x = await startXDouble({ state: sc.state });
  try {
    const factory = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, bearerToken: SANDBOX_CREDENTIALS.TWITTER_BEARER_TOKEN, timeoutMs: 10_000 });
    const clients = new Map<string, ReturnType<typeof factory.user>>();
    const read = (m: XUser, query: Record<string, string | number> = {}) => {
      let c = clients.get(m.id);
      if (!c) clients.set(m.id, (c = factory.user(sc.state.issueTokens(m.id).accessToken)));
      return c.v2.get<Page>(`users/${m.id}/liked_tweets`, { max_results: 10, ...query });
    };
    for (const t of runs) {
      sc.advanceTo(t);
      refs.step(t);
      await act(t, read);
    }
    const perDay = Object.fromEntries(x.billing.dayList().map((d) => [d, x.billing.summary(d).costUsd]));
    return { bound: refs.noOracle(), withoutPageMinimum: refs.noOracle(0), billed: x.billing.summary().costUsd, perDay };
  } finally {
    await x.close();
  }
}

/** The bound must hold on every day and on the whole. */
function holds(r: Awaited<ReturnType<typeof playOut>>) {
  expect(r.bound.total).toBeLessThanOrEqual(r.billed);
  for (const [day, usd] of Object.entries(r.perDay)) expect(r.bound.within(day, day)).toBeLessThanOrEqual(usd);
}

describe('noOracle under review: likes X hides', () => {
  /**
   * busy likes an untracked post after an outsider liked the tracked post (whose likers cannot be
   * listed); X hides the liked post from busy's listing (deleted, or its author is protected). A read
   * of busy's likes then does not show it, so it is not billed, yet the read tells the two worlds
   * apart: had busy liked the tracked post, the listing would show it.
   */
  const build = (hide: 'deleted' | 'protected') => {
    const c = community({ memberNames: ['submitter', 'busy', 'locked'], author: 'brand' });
    const [, busy, locked] = c.members as [XUser, XUser, XUser];
    c.like('2000000001', c.post.id, t0 + 10 * MIN);
    let liked: string;
    if (hide === 'deleted') {
      liked = c.untracked();
      c.sc.state.deleteTweet(liked);
    } else {
      c.sc.state.users.get(locked.id)!.protected = true;
      liked = c.sc.state.addTweet({ authorId: locked.id, createdAt: t0 - HOUR, text: 'locked' }).id;
    }
    c.like(busy, liked, t0 + 30 * MIN);
    return { ...c, busy };
  };

  for (const hide of ['deleted', 'protected'] as const) {
    it(`charges nothing for a like whose post X hides from the liker's listing (${hide})`, async () => {
      const c = build(hide);
      const runs = [run, end + 20 * HOUR];
      const got = await playOut(c.sc, runs, async (t, read) => {
        if (t !== run) return;
        // Everyone who could have liked the tracked post: one page each. busy's is empty.
        for (const m of c.members) expect((await read(m)).data ?? []).not.toContainEqual(expect.objectContaining({ id: c.post.id }));
      });
      expect(got.billed).toBe(0);
      holds(got);
      expect(got.bound.total).toBe(0);
    });
  }

  it('prices a quiet member\'s observation by the newest like X still lists (none: an empty page, free)', async () => {
    const c = community({ memberNames: ['submitter', 'quiet'], author: 'brand' });
    const quiet = c.members[1]!;
    const gone = c.untracked(3 * HOUR);
    c.sc.state.deleteTweet(gone);
    c.like(quiet, gone, t0 - 2 * HOUR); // before the post: cannot be exchanged, only observed
    c.like('2000000001', c.post.id, t0 + 10 * MIN);
    const got = await playOut(c.sc, [run, end + 20 * HOUR], async (t, read) => {
      if (t === run) for (const m of c.members) await read(m);
    });
    expect(got.billed).toBe(0);
    holds(got);
  });
});
