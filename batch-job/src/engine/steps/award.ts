import type { Engagement } from '@engagement-tracker/core';
import type { RunContext } from '../context';
import { engagementKey as key, holdsFor } from './holds';

/**
 * Offer the ledger everything found and not yet confirmed: engagements still pending from this
 * or an interrupted earlier run, and, for posts new to tracking, every engagement the index saw
 * before they were submitted. The ledger awards each (post, member, kind) once, ever. What the
 * moderation rules hold back is recorded as not awarded with the reason; a member's engagement held
 * for eligibility stays pending, so a later run awards it once they qualify (while the post is tracked).
 */
export async function award(ctx: RunContext, fence: number): Promise<void> {
  const tracked = ctx.tracked;
  const marks = await ctx.wm.tweetMarks([...tracked.keys()]);
  const unseeded = [...tracked.keys()].filter((id) => !marks.get(id)?.seeded);
  const pending = await ctx.wm.pending();
  const candidates = new Map<string, Engagement>();
  for (const e of [...pending, ...ctx.found, ...(await ctx.wm.indexed(unseeded))]) {
    if (tracked.has(e.tweetId) && ctx.members.has(e.discordId)) candidates.set(key(e), e);
  }
  // Members are re-read just before awarding: one who unlinked during the run gets nothing more.
  const ids = [...new Set([...candidates.values()].map((e) => e.discordId))];
  const linked = new Set((await ctx.stores.connections.getMany(ids)).flatMap((c) => (c ? [c.discordId] : [])));
  const list = [...candidates.values()].filter((e) => linked.has(e.discordId));
  ctx.stats.set('engagementsFound', list.length);
  const checking = performance.now();
  const holds = await holdsFor(ctx, list, await ctx.stores.moderation.get());
  ctx.stats.set('moderationMs', Math.round(performance.now() - checking));
  if (ctx.dryRun) {
    ctx.logger.info({ candidates: list.length, held: holds.size }, 'dry run: nothing awarded');
    return;
  }
  const res = await ctx.stores.ledger.award({ batchId: ctx.runId, fence, engagements: list.map((e) => ({ ...e, ...(holds.has(key(e)) ? { hold: holds.get(key(e))! } : {}) })), at: ctx.now() });
  ctx.stats.set('awarded', res.awarded);
  ctx.stats.set('pointsAwarded', res.points);
  ctx.stats.set('duplicates', res.duplicates);
  ctx.stats.set('skipped', res.skipped);
  ctx.stats.set('held', res.held);
  ctx.stats.set('banned', res.banned);
  const waiting = new Map<string, Engagement>();
  for (const r of res.results) {
    if (r.outcome === 'awarded') ctx.stats.inc(`awarded_${r.kind}`);
    if (r.outcome !== 'held') continue;
    const reason = holds.get(key(r))!.reason;
    ctx.stats.inc(`held_${reason}`);
    if (reason === 'ineligible') waiting.set(key(r), { tweetId: r.tweetId, discordId: r.discordId, kind: r.kind });
  }
  // In a full run, pending entries for posts out of the window are dropped too (nothing can be
  // awarded for them); a run narrowed to one post leaves the others for the next full run.
  await ctx.wm.clearPending([...pending, ...ctx.found].filter((e) => !waiting.has(key(e)) && (!ctx.narrowed || tracked.has(e.tweetId))));
  await ctx.wm.addPending([...waiting.values()]);
  await ctx.wm.markSeeded(unseeded);
}
