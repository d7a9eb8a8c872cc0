import type { Stores } from '@engagement-tracker/core';
import type { Scenario } from './scenario';

/** Discord id given to scenario member i. */
export const memberDiscordId = (i: number) => String(300_000_000_000_000_000n + BigInt(i));

/**
 * Link every scenario member whose link time has come in the product (as if each had run /connect: OAuth tokens issued by
 * the double) and submit the tracked posts submitted by `until`. Safe to call again as time moves:
 * already linked members and submitted posts are skipped.
 *
 * `submitAt`, when given, sets the stores' clock to each post's own submission time while it is
 * submitted (and back to `undefined` after), so the product records when the member really ran
 * /submit (its tracking window starts there), not when this seeding caught up with it.
 */
export async function seedStores(stores: Stores, sc: Scenario, until = sc.now(), opts: { submitAt?: (t: number | undefined) => void } = {}): Promise<{ linked: number; submitted: number }> {
  let linked = 0;
  let submitted = 0;
  const known = new Set((await stores.connections.listLinked()).map((c) => c.discordId));
  for (let i = 0; i < sc.members.length; i++) {
    const id = memberDiscordId(i);
    if (known.has(id) || sc.linkTime(i) > until) continue;
    const u = sc.members[i]!;
    const t = sc.state.issueTokens(u.id);
    await stores.connections.link({
      discordId: id, displayName: u.name, xUserId: u.id, handle: u.username, scopes: t.scopes,
      tokens: { accessToken: t.accessToken, ...(t.refreshToken ? { refreshToken: t.refreshToken } : {}), expiresAt: t.expiresAt, scopes: t.scopes },
    });
    linked++;
  }
  for (const p of sc.submittedBy(until)) {
    if (await stores.tweets.get(p.tweet.id)) continue;
    const author = sc.state.userOrStub(p.tweet.authorId);
    opts.submitAt?.(p.submittedAt);
    try {
      const res = await stores.tweets.submit({
        tweetId: p.tweet.id, url: `https://x.com/${author.username}/status/${p.tweet.id}`, authorId: author.id, authorHandle: author.username,
        submitterId: memberDiscordId(p.submitter), category: 'general', createdAt: p.tweet.createdAt, text: p.tweet.text,
      });
      if (res.ok) submitted++;
    } finally {
      opts.submitAt?.(undefined);
    }
  }
  return { linked, submitted };
}
