import type { RunContext, Throttled } from '../context';
import { scanMembers, type ScanJob } from './scan-members';
import { readTweetSide } from './tweet-side';

/** X's reset time is in whole seconds: wait a little past it. */
const RESET_SLACK_MS = 1000;

/**
 * Reads skipped because a member's own rate-limit bucket was used up (ctx.throttled) whose bucket
 * reopens within `maxWaitMs` and before the run's wall deadline: wait once for the last of them, then
 * read them again (the member's skipped parts from their latest watermark, the posts' reads with their
 * author's token). The others, and any throttled again, stay for the next run (the run is partial).
 */
export async function retryThrottled(ctx: RunContext, opts: { maxWaitMs: number; deadlineAt: number; sleep: (ms: number) => Promise<void>; signal: AbortSignal }): Promise<void> {
  const now = ctx.now();
  const soon = ctx.throttled.filter((t) => (t.job || t.read) && t.resetAt <= now + opts.maxWaitMs && (!opts.deadlineAt || t.resetAt + RESET_SLACK_MS < opts.deadlineAt));
  if (!soon.length) return;
  const until = Math.max(...soon.map((t) => t.resetAt));
  ctx.logger.info({ reads: soon.length, until: new Date(until).toISOString() }, "waiting for members' X rate limits to reopen, to read what they held back in this run");
  // A run asked to stop (SIGTERM) does not sleep through its grace period: its next X request stops it, and it awards what it found.
  if (until + RESET_SLACK_MS > now) await sleepUnlessStopped(opts.sleep, until + RESET_SLACK_MS - now, opts.signal);
  const again = new Set<Throttled>(soon);
  for (let i = ctx.throttled.length - 1; i >= 0; i--) if (again.has(ctx.throttled[i]!)) ctx.throttled.splice(i, 1);
  ctx.stats.inc('throttledRetried', soon.length);

  // One job per member, with only the parts that were skipped, from the watermark their read left.
  const jobs = new Map<string, ScanJob>();
  for (const t of soon) {
    if (!t.job) continue;
    const j = jobs.get(t.id) ?? { ...t.job, likes: false, posts: false };
    if (t.endpoint === 'liked_tweets') j.likes = true;
    else j.posts = true;
    jobs.set(t.id, j);
  }
  if (jobs.size) {
    const marks = await ctx.wm.memberMarks([...jobs.keys()]);
    await scanMembers(ctx, [...jobs.values()].map((j) => {
      const mark = marks.get(j.conn.discordId);
      return mark ? { ...j, mark } : j;
    }));
  }
  const reads = soon.flatMap((t) => (t.read ? [t.read] : []));
  for (const r of reads) if (!ctx.refused.some((x) => x.subject === 'post' && x.id === r.tweetId)) ctx.unread.delete(r.tweetId);
  if (reads.length) await readTweetSide(ctx, reads);
}

/** Sleep `ms`, or until `signal` aborts if that comes first. */
async function sleepUnlessStopped(sleep: (ms: number) => Promise<void>, ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  let onAbort = () => {};
  const stopped = new Promise<void>((resolve) => {
    onAbort = resolve;
    signal.addEventListener('abort', onAbort, { once: true });
  });
  await Promise.race([sleep(ms), stopped]).finally(() => signal.removeEventListener('abort', onAbort));
}
