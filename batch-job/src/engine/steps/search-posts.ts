import type { Engagement, EngagementKind } from '@engagement-tracker/core';
import { ApiResponseError } from 'twitter-api-v2';
import { pool, type RunContext } from '../context';
import { refusalOf } from '../errors';
import { pageSize, SEARCH_GROUP } from '../planner';
import { refsOf, replyTexts, type PostRow, type ReplyText } from './posts';
import type { ScanJob } from './scan-members';

/** Posts can reach search a little late: each search re-reads this much before the watermark. */
export const SEARCH_OVERLAP_MS = 10 * 60_000;
const SEARCH_WINDOW_MS = 7 * 86_400_000;
/** X's query length limit. */
export const QUERY_MAX = 512;
/** Narrow queries a run may send before falling back to broad ones (search is 450 a window app-wide). */
export const NARROW_QUERY_BUDGET = 120;
/** Narrow queries for posts tracked for the first time, beyond which their ids alone are searched. */
export const FRESH_NARROW_BUDGET = 40;

/** The posts whose reposts / replies / quotes moved this run, and from when each one's engagement is new. */
export interface PostTargets {
  changed: Record<Exclude<EngagementKind, 'like'>, string[]>;
  /** The post's last saved counts (or its creation, for a post never looked at): engagement after it is new. */
  readFrom: Record<string, number>;
}

const TERM: Record<Exclude<EngagementKind, 'like'>, string> = { retweet: 'retweets_of_tweet_id', quote: 'quotes_of_tweet_id', reply: 'conversation_id' };

/** Pack strings into groups whose ` OR `-joined length stays within `budget` characters. */
export function packOr(items: string[], budget: number): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let len = 0;
  for (const it of items) {
    const add = (cur.length ? 4 : 0) + it.length;
    if (cur.length && len + add > budget) {
      out.push(cur);
      cur = [];
      len = 0;
    }
    cur.push(it);
    len += cur.length > 1 ? add : it.length;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Queries `(from:a OR from:b ...) (retweets_of_tweet_id:p OR conversation_id:q ...)` covering every
 * (member, post term) pair, each within QUERY_MAX characters, splitting the room between members and
 * terms so that the fewest queries are needed.
 */
export function narrowQueries(members: string[], terms: string[]): Array<{ members: string[]; terms: string[] }> {
  if (!members.length || !terms.length) return [];
  let best: Array<{ members: string[]; terms: string[] }> | null = null;
  const room = QUERY_MAX - 5; // "(", ") (", ")"
  for (let m = 30; m <= room - 30; m += 15) {
    const mg = packOr(members.map((id) => `from:${id}`), m);
    const tg = packOr(terms, room - m);
    if (mg.some((g) => g.length === 1 && g[0]!.length > m) || tg.some((g) => g.length === 1 && g[0]!.length > room - m)) continue;
    if (!best || mg.length * tg.length < best.length) best = mg.flatMap((g) => tg.map((t) => ({ members: g.map((x) => x.slice(5)), terms: t })));
  }
  return best ?? [];
}

/**
 * Members' new reposts, replies and quotes of tracked posts through recent search. Narrow queries
 * (the tracked ids whose counts moved, combined with `from:` groups of the members whose post counts
 * moved) return, and bill, only engagement with tracked posts; when they would take more requests
 * than the run can spend, broad queries (`(from:<id> OR ...) (is:retweet OR is:reply OR is:quote)`,
 * SEARCH_GROUP members each) cover the members instead, returning their untracked engagement too.
 * Each member's watermark moves only when all of their queries completed; a query X refuses
 * (400/403/404) is recorded against its members and they are searched again next run.
 */
export async function searchMemberPosts(ctx: RunContext, jobs: ScanJob[], targets?: PostTargets): Promise<void> {
  if (!jobs.length) return;
  const trackedIds = new Set(ctx.tracked.keys());
  const scope = ctx.pendingScope;
  const floor = ctx.now() - SEARCH_WINDOW_MS + 60_000;
  const startedAt = ctx.now();
  const byXUserId = new Map(jobs.map((j) => [j.conn.xUserId, j]));
  // From when a member's posts are unread: up to when they are known (an older search, or a lookup showing no new post).
  const from = (j: ScanJob) => ctx.postsKnownAt.get(j.conn.discordId) ?? j.mark?.postsAt ?? ctx.windowStart;
  const since = (group: ScanJob[]) => Math.max(floor, Math.min(...group.map((j) => from(j) - SEARCH_OVERLAP_MS)));

  interface Query { q: string; since: number; expected: number; members: ScanJob[] }
  let queries: Query[] = [];
  // A member searched for the first time: everything they posted in the window (broad), once.
  const first = jobs.filter((j) => !j.mark || j.mark.tweetCount < 0);
  const known = targets ? jobs.filter((j) => j.mark && j.mark.tweetCount >= 0) : [];
  let broad = targets ? first : jobs;
  if (targets) {
    const changed = (Object.keys(TERM) as Array<keyof typeof TERM>).flatMap((k) => (targets.changed[k] ?? []).map((id) => `${TERM[k]}:${id}`));
    // Members known up to the same time search the same posts: those whose counts moved since (every post
    // that moved this run, for a member looked up last run; more for one who waited).
    const groups = new Map<number | undefined, ScanJob[]>();
    for (const j of known) {
      const at = ctx.postsKnownAt.get(j.conn.discordId);
      groups.set(at, [...(groups.get(at) ?? []), j]);
    }
    const narrow = (members: ScanJob[], at: number | undefined, terms: string[]): Query[] =>
      narrowQueries(members.map((j) => j.conn.xUserId), terms).map((g) => {
        // Engagement is new from when the member was last known (or, known from no lookup, from the posts' last counts).
        const start = at ?? Math.min(...g.terms.map((t) => targets.readFrom[t.slice(t.indexOf(':') + 1)] ?? ctx.windowStart));
        return {
          q: `(${g.members.map((id) => `from:${id}`).join(' OR ')}) (${g.terms.join(' OR ')})`,
          since: Math.max(floor, start - SEARCH_OVERLAP_MS), expected: g.terms.length, members: g.members.map((id) => byXUserId.get(id)!),
        };
      });
    const planned = [...groups].map(([at, members]) => {
      const terms = at === undefined ? changed : [...new Set([...changed, ...movedTerms(ctx, at)])];
      return { at, members, terms, queries: narrow(members, at, terms) };
    });
    // Narrow while the run can spend the requests (fewest first). A group that does not fit: its members
    // with the most new posts narrowly, as many as fit, the others (whose few posts cost little) broadly.
    planned.sort((a, b) => a.queries.length - b.queries.length);
    for (const p of planned) {
      const left = NARROW_QUERY_BUDGET - queries.length;
      if (p.queries.length <= left) {
        queries = queries.concat(p.queries);
        continue;
      }
      const byPosts = [...p.members].sort((a, b) => newPosts(b) - newPosts(a));
      let lo = 0;
      let hi = byPosts.length - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (narrow(byPosts.slice(0, mid), p.at, p.terms).length <= left) lo = mid;
        else hi = mid - 1;
      }
      if (lo > 0) queries = queries.concat(narrow(byPosts.slice(0, lo), p.at, p.terms));
      broad = broad.concat(byPosts.slice(lo));
    }
  }
  if (broad.length) {
    for (let i = 0; i < broad.length; i += SEARCH_GROUP) {
      const group = broad.slice(i, i + SEARCH_GROUP);
      const expected = group.reduce((s, j) => s + newPosts(j), 0);
      queries.push({ q: `(${group.map((j) => `from:${j.conn.xUserId}`).join(' OR ')}) (is:retweet OR is:reply OR is:quote)`, since: since(group), expected, members: group });
    }
    ctx.stats.inc('searchBroad');
  }

  const found = new Map<string, Engagement[]>();
  const replies = new Map<string, ReplyText[]>();
  const failed = new Set<string>();
  // Each member is committed once all their queries are done, so a search stopped part way (rate limit,
  // budget, time) keeps what it finished: the next run searches only the members still owed.
  const owed = new Map<string, number>();
  for (const query of queries) for (const j of query.members) owed.set(j.conn.discordId, (owed.get(j.conn.discordId) ?? 0) + 1);
  const settle = async (job: ScanJob) => {
    if (failed.has(job.conn.discordId)) return;
    const list = found.get(job.conn.discordId) ?? [];
    if (!ctx.dryRun) await ctx.wm.commitMemberPosts(job.conn.discordId, { tweetCount: job.counts.tweetCount, postsAt: startedAt }, list, scope, replies.get(job.conn.discordId));
    ctx.readOk.add(`member:${job.conn.discordId}|search_recent`);
    for (const e of list) if (trackedIds.has(e.tweetId)) ctx.found.push(e);
  };
  let done = 0;
  await pool(queries, Math.min(4, ctx.concurrency), async (query) => {
    try {
      await searchPages(ctx, query.q, query.since, pageSize(query.expected, 10), (data) => {
        for (const p of data) {
          const member = p.author_id ? ctx.byXUserId.get(p.author_id) : undefined;
          if (!member) continue;
          const list = found.get(member.discordId) ?? [];
          const refs = refsOf(p);
          for (const r of refs) list.push({ ...r, discordId: member.discordId });
          found.set(member.discordId, list);
          const texts = replyTexts(p, refs, member.discordId);
          if (texts.length) replies.set(member.discordId, [...(replies.get(member.discordId) ?? []), ...texts]);
        }
        ctx.stats.inc('memberItemsRead', data.length);
      });
    } catch (err) {
      const r = refusalOf(err);
      if (!r || !(err instanceof ApiResponseError)) throw err;
      for (const j of query.members) {
        failed.add(j.conn.discordId);
        ctx.refused.push({ subject: 'member', id: j.conn.discordId, endpoint: 'search_recent', ...r });
      }
      ctx.logger.warn({ status: r.status, reason: r.reason, members: query.members.length }, 'X refused a search; its members are searched again next run');
    }
    ctx.stats.inc('searchQueries');
    ctx.progress('search', ++done, queries.length);
    for (const j of query.members) {
      const left = owed.get(j.conn.discordId)! - 1;
      owed.set(j.conn.discordId, left);
      if (left === 0) await settle(j);
    }
  });
  // Members no query covered (nothing to search for them) are known up to now too.
  for (const job of jobs) if (!owed.has(job.conn.discordId)) await settle(job);
}

/**
 * Posts tracked for the first time: the reposts, quotes and replies so far, from their creation, of the
 * members whose earlier searches ran after the post was created (they searched without its id, so its
 * engagement before then was not returned; everyone else's engagement with it is at or after their
 * search watermark, which this run's search covers). Narrow queries (`from:` groups of those members
 * with the posts' ids) return, and bill, only members' engagement, never the outsiders'.
 */
export async function searchFreshPosts(ctx: RunContext, targets: PostTargets, fresh: string[], members: string[]): Promise<void> {
  const ids = new Set(fresh);
  const terms = (Object.keys(TERM) as Array<keyof typeof TERM>).flatMap((k) => (targets.changed[k] ?? []).filter((id) => ids.has(id)).map((id) => `${TERM[k]}:${id}`));
  let queries = narrowQueries(members, terms).map((g) => ({ terms: g.terms, q: `(${g.members.map((id) => `from:${id}`).join(' OR ')}) (${g.terms.join(' OR ')})` }));
  // Posts created long before they were tracked (many members searched since): the posts' ids alone, in
  // few requests (they return the outsiders' engagement too) rather than more than search allows.
  if (queries.length > FRESH_NARROW_BUDGET) queries = packOr(terms, QUERY_MAX).map((t) => ({ terms: t, q: t.join(' OR ') }));
  ctx.stats.inc('freshPostQueries', queries.length);
  const floor = ctx.now() - SEARCH_WINDOW_MS + 60_000;
  await pool(queries, Math.min(4, ctx.concurrency), async ({ terms: group, q }) => {
    const from = Math.min(...group.map((t) => targets.readFrom[t.slice(t.indexOf(':') + 1)] ?? ctx.windowStart));
    const found: Engagement[] = [];
    const replies: ReplyText[] = [];
    try {
      await searchPages(ctx, q, Math.max(floor, from - SEARCH_OVERLAP_MS), pageSize(group.length, 10), (data) => {
        for (const p of data) {
          const member = p.author_id ? ctx.byXUserId.get(p.author_id) : undefined;
          if (!member) continue;
          const refs = refsOf(p).filter((r) => ids.has(r.tweetId));
          for (const r of refs) found.push({ ...r, discordId: member.discordId });
          replies.push(...replyTexts(p, refs, member.discordId));
        }
      });
    } catch (err) {
      const r = refusalOf(err);
      if (!r) throw err;
      for (const t of group) {
        const id = t.slice(t.indexOf(':') + 1);
        ctx.unread.add(id);
        ctx.refused.push({ subject: 'post', id, endpoint: 'search_recent', ...r });
      }
    }
    if (!ctx.dryRun) await ctx.wm.commitFound(found, ctx.pendingScope, replies);
    ctx.found.push(...found);
  });
}

/** Posts a member made since their watermark (what a broad search of them returns at most). */
const newPosts = (j: ScanJob) => (j.mark && j.mark.tweetCount >= 0 ? Math.abs(j.counts.tweetCount - j.mark.tweetCount) : 5);

/** Search terms of the tracked posts whose reposts / replies / quotes moved after `at`. */
function movedTerms(ctx: RunContext, at: number): string[] {
  const out: string[] = [];
  for (const [f, movedAt] of ctx.postsMovedAt) {
    if (movedAt <= at) continue;
    const [id, kind] = f.split('|') as [string, keyof typeof TERM];
    if (ctx.tracked.has(id) && TERM[kind]) out.push(`${TERM[kind]}:${id}`);
  }
  return out;
}

/** Every page (up to 50) of an app-token recent search from `since`, the first page sized `firstPage`. */
async function searchPages(ctx: RunContext, query: string, since: number, firstPage: number, onPage: (data: PostRow[]) => void): Promise<void> {
  let token: string | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await ctx.gw.get<PostRow>('search_recent', ctx.x.app(), 'app', 'tweets/search/recent', {
      query,
      start_time: new Date(since).toISOString(),
      max_results: page === 0 ? firstPage : 100,
      'tweet.fields': 'author_id,referenced_tweets,conversation_id',
      ...(token ? { next_token: token } : {}),
    });
    onPage(res.data);
    token = res.meta?.next_token;
    if (!token) break;
  }
}
