import type { Stores } from '@engagement-tracker/core';
import type { XDouble } from '@engagement-tracker/sandbox/x';

export interface Seeded {
  members: Array<{ id: string; name: string; handle: string | null; tier: 1 | 2 | 3 }>;
  tweets: Array<{ id: string; author: string; category: string }>;
  batchId: string;
  topName: string;
  topPoints: number;
}

const HOUR = 3_600_000;

/**
 * Put a small community in Redis through the product's own store paths: members join and link X
 * accounts, submit tweets, a batch run awards engagements through the ledger, an admin adjusts.
 * The same accounts and tweets exist on the X double (with real tokens it issued), plus engagements
 * the seeded run has not counted yet, so a batch started from the console finds and awards them.
 */
export async function seedCommunity(stores: Stores, x: XDouble, now = Date.now()): Promise<Seeded> {
  const members = [
    { id: '100000000000000001', name: 'Alice Aster', handle: 'alice_x', tier: 3 as const },
    { id: '100000000000000002', name: 'Bob Birch', handle: 'bob_x', tier: 2 as const },
    { id: '100000000000000003', name: 'Carol Cedar', handle: 'carol_x', tier: 1 as const },
    { id: '100000000000000004', name: 'Dave Dogwood', handle: null, tier: 1 as const },
  ];
  x.state.addUser({ id: '900000000000000099', username: 'dave_outside' });
  for (const [i, m] of members.entries()) {
    await stores.members.ensure(m.id, m.name);
    if (m.tier !== 1) await stores.members.setTier(m.id, m.tier, 'seed');
    if (m.handle) {
      const xUserId = `90000000000000000${i}`;
      x.state.addUser({ id: xUserId, username: m.handle, name: m.name });
      const t = x.state.issueTokens(xUserId);
      await stores.connections.link({
        discordId: m.id,
        displayName: m.name,
        xUserId,
        handle: m.handle,
        scopes: t.scopes,
        tokens: { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, scopes: t.scopes },
      });
    }
  }
  const tweets = [
    { id: '1800000000000000001', author: 'carol_x', authorId: '900000000000000002', submitter: members[2]!.id, category: 'launch' },
    { id: '1800000000000000002', author: 'dave_outside', authorId: '900000000000000099', submitter: members[3]!.id, category: 'community' },
    { id: '1800000000000000003', author: 'bob_x', authorId: '900000000000000001', submitter: members[1]!.id, category: 'launch' },
  ];
  for (const [i, t] of tweets.entries()) {
    x.state.addTweet({ id: t.id, authorId: t.authorId, text: `Seeded tweet ${i + 1}`, createdAt: now - (i + 1) * HOUR });
    const res = await stores.tweets.submit({
      tweetId: t.id,
      url: `https://x.com/${t.author}/status/${t.id}`,
      authorId: t.authorId,
      authorHandle: t.author,
      submitterId: t.submitter,
      category: t.category,
      createdAt: now - (i + 1) * HOUR,
      text: `Seeded tweet ${i + 1}`,
      metrics: { likes: 5 + i, retweets: 2, replies: 1, quotes: 0 },
    });
    if (!res.ok) throw new Error(`seed tweet ${t.id} was a duplicate`);
  }
  const run = await stores.batches.create({ trigger: 'schedule' });
  const award = await stores.ledger.award({
    batchId: run.id,
    engagements: [
      { tweetId: tweets[0]!.id, discordId: members[0]!.id, kind: 'like' },
      { tweetId: tweets[0]!.id, discordId: members[0]!.id, kind: 'reply' },
      { tweetId: tweets[0]!.id, discordId: members[1]!.id, kind: 'retweet' },
      { tweetId: tweets[1]!.id, discordId: members[0]!.id, kind: 'quote' },
      { tweetId: tweets[2]!.id, discordId: members[2]!.id, kind: 'like' },
    ],
  });
  await stores.batches.finish(run.id, 'succeeded', {
    stats: { requests: 7, billedPosts: 3, billedUsers: 4, costUsd: 0.055, engagementsFound: award.awarded, pointsAwarded: award.points },
  });
  // On X: the engagements counted above, and two more that the next run should find.
  x.state.like('900000000000000000', tweets[0]!.id);
  x.state.reply('900000000000000000', tweets[0]!.id);
  x.state.retweet('900000000000000001', tweets[0]!.id);
  x.state.quote('900000000000000000', tweets[1]!.id);
  x.state.like('900000000000000002', tweets[2]!.id);
  x.state.like('900000000000000001', tweets[1]!.id);
  x.state.reply('900000000000000002', tweets[1]!.id);
  await stores.ledger.adjust({ discordId: members[2]!.id, delta: 5, reason: 'Helped moderate the launch', actor: 'seed-admin' });
  const top = await stores.leaderboard.top({ board: 'alltime', limit: 1 });
  const leader = top.entries[0]!;
  return {
    members,
    tweets: tweets.map((t) => ({ id: t.id, author: t.author, category: t.category })),
    batchId: run.id,
    topName: members.find((m) => m.id === leader.discordId)!.name,
    topPoints: leader.points,
  };
}
