import type { Engagement } from '@engagement-tracker/core';
import { pool, type RunContext } from '../context';
import { pageSize, SEARCH_GROUP } from '../planner';
import { refsOf, replyTexts, type PostRow, type ReplyText } from './posts';
import type { ScanJob } from './scan-members';

/** Posts can reach search a little late: each search re-reads this much before the watermark. */
export const SEARCH_OVERLAP_MS = 10 * 60_000;
const SEARCH_WINDOW_MS = 7 * 86_400_000;

/**
 * Members' new retweets, replies and quotes through recent search, SEARCH_GROUP members a query
 * (`(from:<id> OR ...) (is:retweet OR is:reply OR is:quote)`): unlike their timelines, this
 * returns (and bills) only the posts that can be engagement. Each member's watermark moves only
 * when their group's search completed.
 */
export async function searchMemberPosts(ctx: RunContext, jobs: ScanJob[]): Promise<void> {
  const trackedIds = new Set(ctx.tracked.keys());
  const scope = ctx.pendingScope;
  const groups: ScanJob[][] = [];
  for (let i = 0; i < jobs.length; i += SEARCH_GROUP) groups.push(jobs.slice(i, i + SEARCH_GROUP));
  const floor = ctx.now() - SEARCH_WINDOW_MS + 60_000;
  let done = 0;
  await pool(groups, Math.min(4, ctx.concurrency), async (group) => {
    const startedAt = ctx.now();
    const since = Math.max(floor, Math.min(...group.map((j) => (j.mark?.postsAt ?? ctx.windowStart) - SEARCH_OVERLAP_MS)));
    const expected = group.reduce((s, j) => s + (j.mark && j.mark.tweetCount >= 0 ? Math.abs(j.counts.tweetCount - j.mark.tweetCount) : 5), 0);
    const query = `(${group.map((j) => `from:${j.conn.xUserId}`).join(' OR ')}) (is:retweet OR is:reply OR is:quote)`;
    const byAuthor = new Map<string, Engagement[]>();
    const replies = new Map<string, ReplyText[]>();
    let token: string | undefined;
    for (let page = 0; page < 50; page++) {
      const res = await ctx.gw.get<PostRow>('search_recent', ctx.x.app(), 'app', 'tweets/search/recent', {
        query,
        start_time: new Date(since).toISOString(),
        max_results: page === 0 ? pageSize(expected, 10) : 100,
        'tweet.fields': 'author_id,referenced_tweets,conversation_id',
        ...(token ? { next_token: token } : {}),
      });
      for (const p of res.data) {
        const member = p.author_id ? ctx.byXUserId.get(p.author_id) : undefined;
        if (!member) continue;
        const list = byAuthor.get(member.discordId) ?? [];
        const refs = refsOf(p);
        for (const r of refs) list.push({ ...r, discordId: member.discordId });
        byAuthor.set(member.discordId, list);
        const texts = replyTexts(p, refs, member.discordId);
        if (texts.length) replies.set(member.discordId, [...(replies.get(member.discordId) ?? []), ...texts]);
      }
      ctx.stats.inc('memberItemsRead', res.data.length);
      token = res.meta?.next_token;
      if (!token) break;
    }
    for (const job of group) {
      const found = byAuthor.get(job.conn.discordId) ?? [];
      if (!ctx.dryRun) await ctx.wm.commitMemberPosts(job.conn.discordId, { tweetCount: job.counts.tweetCount, postsAt: startedAt }, found, scope, replies.get(job.conn.discordId));
      for (const e of found) if (trackedIds.has(e.tweetId)) ctx.found.push(e);
    }
    ctx.stats.inc('searchGroups');
    ctx.progress('search', ++done, groups.length);
  });
}
