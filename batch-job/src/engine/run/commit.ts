import { withSpan, type PublicMetrics } from '@engagement-tracker/core';
import type { RunContext } from '../context';
import { award } from '../steps/award';
import type { RunState } from './outcome';

/** What the read phase leaves to commit: the posts' watermarks, from when they hold, and the reads refused before this run. */
export interface ReadResult {
  marks: Map<string, PublicMetrics>;
  sweepStartedAt: number | undefined;
  refusedBefore: Record<string, { endpoint: string }>;
}

/**
 * Award what the run found, record the reads X refused (clearing those read fine now), then either
 * mark the run partial (what it skipped stays for the next run) or save the posts' watermarks.
 */
export async function commit(ctx: RunContext, state: RunState, read: ReadResult, run: { fence: number; started: number; phase: (name: string) => void }): Promise<void> {
  const { wm, stats } = ctx;
  const { marks, sweepStartedAt, refusedBefore } = read;
  const { started, phase } = run;
  ctx.progress('award', 0, 1);
  state.awarded = true;
  await withSpan('batch.award', {}, () => award(ctx, run.fence));
  phase('awarded');
  if (!ctx.dryRun) await recordRefusals(ctx, refusedBefore);
  if (ctx.skipped || ctx.refused.length || ctx.throttled.length) {
    // Keep the post watermarks so the next run comes back for the members and posts skipped here.
    state.status = 'partial';
    state.error = [
      ctx.skipped ? `${ctx.skipped} member(s) skipped: their X token was being refreshed by another process; the next run covers them.` : '',
      ctx.throttled.length ? `${ctx.throttled.length} read(s) skipped: the member's own X rate limit was used up (429 with their token); the next run retries them.` : '',
      ctx.refused.length ? `X refused ${ctx.refused.length} read(s), recorded against their member or post; the next run retries them: ${ctx.refused.slice(0, 3).map((r) => `${r.subject} ${r.id} ${r.endpoint} ${r.status} (${r.reason})`).join('; ')}` : '',
    ].filter(Boolean).join(' ');
    stats.set('membersSkipped', ctx.skipped);
    stats.set('readsRefused', ctx.refused.length);
    stats.set('throttledForNextRun', ctx.throttled.length);
  } else if (!ctx.dryRun) {
    for (const id of ctx.unread) marks.delete(id);
    await wm.saveTweetMarks(marks, sweepStartedAt ?? started);
  }
}

/** Save this run's refused reads against their member or post; clear those read fine this time. */
async function recordRefusals(ctx: RunContext, before: Record<string, { endpoint: string }>): Promise<void> {
  await ctx.wm.recordRefused([...ctx.refused, ...ctx.throttled], ctx.now(), ctx.runId);
  const now = new Set([...ctx.refused, ...ctx.throttled].map((r) => `${r.subject}:${r.id}`));
  // Read fine this run: the member's or post's reads, or the very read that was refused (`<key>|<endpoint>`).
  const readOk = (k: string) => ctx.readOk.has(k) || ctx.readOk.has(`${k}|${before[k]!.endpoint}`);
  const ok = (subject: 'member' | 'post') => Object.keys(before).filter((k) => k.startsWith(`${subject}:`) && !now.has(k) && readOk(k)).map((k) => k.slice(subject.length + 1));
  await ctx.wm.clearRefused('member', ok('member'));
  await ctx.wm.clearRefused('post', ok('post'));
}
