import type { Connection, PublicMetrics } from '@engagement-tracker/core';
import type { RunContext } from '../context';
import { RATE_WINDOW_MS, sweepDoneBy } from '../deadline';
import { StopRun } from '../errors';
import type { Plan } from '../planner';
import type { MemberMark } from '../watermarks';
import { lookupMembers, scanJobs, scanMembers, type ScanJob } from './scan-members';
import { SEARCH_OVERLAP_MS, searchFreshPosts, searchMemberPosts } from './search-posts';

const CHUNK = 100;
/** Members whose posts are searched together (narrow queries pair every member with every post). */
const SEARCH_FLUSH = 300;

/**
 * Called when a sweep is stopped (rate limit, budget, time) before it spends what X still allows on
 * its pending searches: `until` is the earliest a later run could have reached every member left
 * (`unreached`: not looked up this run).
 */
export type SweepStopped = (stop: StopRun, until: number, unreached: Connection[]) => Promise<void>;

/**
 * Cover the linked members due this run (`lookup`; all when absent), 100 at a time (one lookup of
 * their counts, recorded as what each was last seen with, then reads of those whose counts moved). A
 * sweep cut short by rate limits, budget or time is saved with its cursor and resumed by the next run.
 * Returns the post counts that may be saved as watermarks: those read when the sweep began, and when
 * it began.
 */
export async function memberSweep(ctx: RunContext, plan: Plan, conns: Connection[], marks: Map<string, MemberMark>, metrics: Map<string, PublicMetrics>, onStop?: SweepStopped, lookup?: Set<string>): Promise<{ snapshot: Map<string, PublicMetrics>; startedAt: number }> {
  const ordered = conns.filter((c) => !lookup || lookup.has(c.discordId)).sort((a, b) => (a.discordId < b.discordId ? -1 : a.discordId > b.discordId ? 1 : 0));
  const modes = [plan.likes === 'members' ? 'likes' : '', plan.posts === 'members' || plan.posts === 'search' ? plan.posts : ''].filter(Boolean).join('+');
  const saved = await ctx.wm.sweep();
  // A sweep only resumes when it reads the same things; otherwise it starts over.
  const prior = saved && saved.modes === modes ? saved : null;
  const snapshot = prior ? new Map(Object.entries(prior.snapshot)) : new Map(metrics);
  const startedAt = prior?.startedAt ?? ctx.now();
  // Resuming: the members after the cursor, and any never read yet (linked since the sweep began,
  // possibly with an id before the cursor: skipping them would save post watermarks that already
  // count their engagement, so it would never be looked for).
  const todo = prior ? ordered.filter((c) => c.discordId > prior.cursor || !marks.has(c.discordId)) : ordered;
  if (prior) ctx.stats.set('resumedSweep', 1);
  let cursor = prior?.cursor ?? '';
  let lookedUp = 0;
  // Searches run over many chunks' members at once (narrow queries combine members and posts); the
  // cursor moves past a chunk once its likes are read and its members' searches are done.
  const searchJobs: ScanJob[] = [];
  let readCursor = cursor;
  const flush = async () => {
    if (searchJobs.length) await searchMemberPosts(ctx, searchJobs, ctx.narrowed ? undefined : { changed: plan.changed, readFrom: plan.readFrom });
    searchJobs.length = 0;
    cursor = readCursor;
  };
  try {
    for (let i = 0; i < todo.length; i += CHUNK) {
      const chunk = todo.slice(i, i + CHUNK);
      const counts = await lookupMembers(ctx, chunk);
      lookedUp += chunk.length;
      // Written before any read: a crash after it leaves the reads pending (counts differ from the watermarks).
      if (!ctx.dryRun) await ctx.wm.setSeen(new Map([...counts].map(([id, c]) => [id, { at: ctx.now(), likes: c.likeCount, tweets: c.tweetCount }])));
      const jobs = scanJobs(chunk, counts, marks, { likes: plan.likes === 'members', posts: plan.posts === 'members' || plan.posts === 'search' }, ctx);
      if (plan.posts === 'search') {
        // Search never returns a protected member's posts: their own timeline, with their token.
        await scanMembers(ctx, jobs.filter((j) => j.likes || (j.posts && j.counts.protected)).map((j) => ({ ...j, posts: j.posts && !!j.counts.protected })));
        searchJobs.push(...jobs.filter((j) => j.posts && !j.counts.protected));
        readCursor = chunk[chunk.length - 1]!.discordId;
        if (searchJobs.length >= SEARCH_FLUSH) await flush();
      } else {
        await scanMembers(ctx, jobs);
        cursor = readCursor = chunk[chunk.length - 1]!.discordId;
      }
      ctx.progress('members', i + chunk.length, todo.length);
    }
    await flush();
    const fresh = plan.fresh.filter((id) => !prior || !(id in prior.snapshot));
    if (plan.posts === 'search' && fresh.length) {
      // Members whose last search (before this run) came after a fresh post was created searched without its id.
      const createdFrom = Math.min(...fresh.map((id) => ctx.tracked.get(id)?.createdAt ?? ctx.windowStart)) - SEARCH_OVERLAP_MS;
      const searchedSince = conns.filter((c) => (c.status === 'linked' || c.status === 'needs_reconnect') && (marks.get(c.discordId)?.postsAt ?? -Infinity) >= createdFrom);
      await searchFreshPosts(ctx, { changed: plan.changed, readFrom: plan.readFrom }, fresh, searchedSince.map((c) => c.xUserId));
    }
  } catch (err) {
    if (err instanceof StopRun && onStop) {
      const left = todo.length - lookedUp;
      await onStop(err, sweepDoneBy(err.resumeAt ?? ctx.now() + RATE_WINDOW_MS, left, Math.max(CHUNK, lookedUp), ctx.nextRunAt), todo.slice(lookedUp));
    }
    if (err instanceof StopRun && !ctx.dryRun) {
      // What was read before the stop is searched now if X still allows it, so the cursor can move on.
      try {
        await flush();
      } catch (again) {
        if (!(again instanceof StopRun)) throw again;
      }
      await ctx.wm.saveSweep({ cursor, snapshot: Object.fromEntries(snapshot), startedAt, modes });
    }
    throw err;
  } finally {
    ctx.stats.inc('membersChecked', lookedUp);
  }
  if (saved && !ctx.dryRun) await ctx.wm.clearSweep();
  return { snapshot, startedAt };
}
