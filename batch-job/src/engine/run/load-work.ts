import type { Connection, TrackedTweet } from '@engagement-tracker/core';
import type { RunContext } from '../context';
import type { BatchOptions } from '../options';

/** The run's work: linked members who are not banned, and the tracked posts in the window (or the one post asked for). */
export async function loadWork(ctx: RunContext, opts: BatchOptions): Promise<void> {
  // Banned members earn nothing: the run never reads X for them (it costs money).
  const banned = new Set(await ctx.stores.bans.ids());
  const conns: Connection[] = (await ctx.stores.connections.listLinked()).filter((c) => !banned.has(c.discordId));
  for (const c of conns) {
    ctx.members.set(c.discordId, c);
    ctx.byXUserId.set(c.xUserId, c);
  }
  let tweets: TrackedTweet[];
  if (opts.tweetId) {
    const t = await ctx.stores.tweets.get(opts.tweetId);
    if (!t) throw new Error(`No tracked post ${opts.tweetId}`);
    tweets = t.status === 'active' ? [t] : [];
    for (const w of await ctx.stores.tweets.listInWindow(ctx.windowStart, ctx.now())) ctx.pendingScope.add(w.tweetId);
  } else {
    tweets = await ctx.stores.tweets.listInWindow(ctx.windowStart, ctx.now());
  }
  for (const t of tweets) {
    ctx.tracked.set(t.tweetId, t);
    ctx.pendingScope.add(t.tweetId);
  }
  ctx.windowStart = Math.min(ctx.windowStart, ...tweets.map((t) => t.createdAt));
  ctx.stats.set('tweetsTracked', tweets.length);
  ctx.stats.set('membersLinked', conns.length);
  ctx.stats.set('membersBanned', banned.size);
}
