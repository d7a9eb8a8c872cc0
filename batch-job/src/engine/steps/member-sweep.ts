import type { Connection, PublicMetrics } from '@engagement-tracker/core';
import type { RunContext } from '../context';
import { RATE_WINDOW_MS, sweepDoneBy } from '../deadline';
import { seenNow } from '../due';
import { StopRun } from '../errors';
import type { Plan } from '../planner';
import type { MemberMark } from '../watermarks';
import { lookupMembers, scanJobs, scanMembers, type MemberCounts, type ScanJob } from './scan-members';
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
 * Free re-checks (`recheck`: nothing of theirs has to be read this run) never take a users_lookup
 * request due members need: once the last headers say the window cannot carry everyone left, they
 * wait (and the due members are looked up without them); when only they are left and the window is
 * used up, the sweep ends there without stopping the run.
 * Returns the post counts that may be saved as watermarks: those read when the sweep began, and when
 * it began.
 */
export async function memberSweep(ctx: RunContext, plan: Plan, conns: Connection[], marks: Map<string, MemberMark>, metrics: Map<string, PublicMetrics>, onStop?: SweepStopped, lookup?: Set<string>, recheck: ReadonlySet<string> = new Set()): Promise<{ snapshot: Map<string, PublicMetrics>; startedAt: number }> {
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
  /** Members not looked up yet, in id order. */
  let rest = todo;
  // Searches run over many chunks' members at once (narrow queries combine members and posts); the
  // cursor moves past a chunk once its likes are read and its members' searches are done.
  const searchJobs: ScanJob[] = [];
  let readCursor = cursor;
  const flush = async () => {
    // Members a stopped search already finished (committed) are not searched again.
    const owed = searchJobs.filter((j) => !ctx.readOk.has(`member:${j.conn.discordId}|search_recent`));
    if (owed.length) await searchMemberPosts(ctx, owed, ctx.narrowed ? undefined : { changed: plan.changed, readFrom: plan.readFrom });
    searchJobs.length = 0;
    cursor = readCursor;
  };
  try {
    while (rest.length) {
      // Once the last headers say the window cannot carry everyone left, free re-checks give way to due members.
      if (rest.length > ctx.gw.remaining('users_lookup', 'app') * CHUNK) rest = rest.filter((c) => !recheck.has(c.discordId));
      const chunk = rest.slice(0, CHUNK);
      const counts = rest.every((c) => recheck.has(c.discordId)) ? await recheckIfAllowed(ctx, chunk) : await lookupMembers(ctx, chunk);
      if (!counts) break;
      rest = rest.slice(CHUNK);
      lookedUp += chunk.length;
      // Written before any read: a crash after it leaves the reads pending (counts differ from the watermarks).
      if (!ctx.dryRun) await ctx.wm.setSeen(new Map([...counts].map(([id, c]) => [id, seenNow(ctx.now(), c)])));
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
      ctx.progress('members', todo.length - rest.length, todo.length);
    }
    ctx.stats.set('recheckWaiting', todo.length - lookedUp);
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
      await onStop(err, sweepDoneBy(err.resumeAt ?? ctx.now() + RATE_WINDOW_MS, rest.length, Math.max(CHUNK, lookedUp), ctx.nextRunAt), rest);
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

/**
 * A free re-check's lookup, only when the users_lookup window has a request left (from the last
 * headers); null when it has none or X answers 429: those members wait, and the run is not stopped.
 */
async function recheckIfAllowed(ctx: RunContext, chunk: Connection[]): Promise<Map<string, MemberCounts> | null> {
  if (ctx.gw.remaining('users_lookup', 'app') < 1) return null;
  try {
    return await lookupMembers(ctx, chunk);
  } catch (err) {
    if (err instanceof StopRun && err.reason === 'rate_limited') return null;
    throw err;
  }
}
