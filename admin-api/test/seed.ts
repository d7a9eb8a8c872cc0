import type { Stores } from '@engagement-tracker/core';

export const M = { alice: '200000000000000001', bob: '200000000000000002', carol: '200000000000000003', dave: '200000000000000004' };
export const T = { t1: '1900000000000000001', t2: '1900000000000000002', t3: '1900000000000000003' };

/** A small community through the product's own store paths. */
export async function seed(stores: Stores, now = Date.now()) {
  const names: Record<string, string> = { [M.alice]: 'Alice', [M.bob]: 'Bob', [M.carol]: 'Carol', [M.dave]: 'Dave' };
  for (const [i, id] of Object.values(M).entries()) {
    await stores.members.ensure(id, names[id]!);
    if (id !== M.dave) {
      await stores.connections.link({ discordId: id, displayName: names[id]!, xUserId: `80000000000000000${i}`, handle: `${names[id]!.toLowerCase()}_x`, scopes: ['tweet.read'], tokens: { accessToken: `a${i}`, expiresAt: now + 3_600_000, scopes: [] } });
    }
  }
  await stores.members.setTier(M.alice, 3, 'seed');
  const tweets = [
    { id: T.t1, author: 'carol_x', submitter: M.carol, category: 'launch' },
    { id: T.t2, author: 'outsider', submitter: M.dave, category: 'community' },
    { id: T.t3, author: 'bob_x', submitter: M.bob, category: 'launch' },
  ];
  for (const [i, t] of tweets.entries()) {
    await stores.tweets.submit({ tweetId: t.id, url: `https://x.com/${t.author}/status/${t.id}`, authorId: `x${i}`, authorHandle: t.author, submitterId: t.submitter, category: t.category, createdAt: now - (i + 1) * 3_600_000, text: `tweet ${i}` });
  }
  const run = await stores.batches.create({ trigger: 'schedule' });
  await stores.ledger.award({
    batchId: run.id,
    engagements: [
      { tweetId: T.t1, discordId: M.alice, kind: 'like' }, // tier 3: 3
      { tweetId: T.t1, discordId: M.alice, kind: 'reply' }, // 9
      { tweetId: T.t1, discordId: M.bob, kind: 'retweet' }, // tier 1: 2
      { tweetId: T.t3, discordId: M.carol, kind: 'like' }, // 1
    ],
  });
  await stores.batches.finish(run.id, 'succeeded', { stats: { requests: 4, costUsd: 0.02 } });
  return { runId: run.id };
}
