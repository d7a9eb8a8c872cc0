import {
  checkEligibility, checkReply, prepareReply, type Engagement, type Hold, type ModerationSettings, type PreparedReply,
} from '@engagement-tracker/core';
import type { RunContext } from '../context';

export const engagementKey = (e: Engagement) => `${e.tweetId}|${e.discordId}|${e.kind}`;

const anyEligibilityRule = (s: ModerationSettings) => {
  const e = s.eligibility;
  return e.minXAccountAgeDays > 0 || e.minFollowers > 0 || e.requireUnprotected || e.minServerDays > 0 || e.requiredRoleIds.length > 0;
};
const anyReplyRule = (s: ModerationSettings) => {
  const r = s.replies;
  return r.minWords > 0 || r.minChars > 0 || r.duplicateThreshold > 0 || r.blockedPhrases.length > 0;
};

/**
 * What to hold back instead of awarding, by engagement key: a reply that fails the reply rules
 * (final: an admin may still approve it), or any engagement of a member who does not meet the
 * eligibility rules at award time (offered again by every run while the post is in the window).
 * Nothing is read from X here: only the facts and reply texts already stored.
 */
export async function holdsFor(ctx: RunContext, list: Engagement[], settings: ModerationSettings): Promise<Map<string, Hold>> {
  const holds = new Map<string, Hold>();
  if (anyReplyRule(settings)) await replyHolds(ctx, list, settings, holds);
  if (anyEligibilityRule(settings)) {
    const ids = [...new Set(list.map((e) => e.discordId))];
    const facts = await ctx.stores.moderation.facts(ids);
    const now = ctx.now();
    const verdicts = new Map(ids.map((id) => [id, checkEligibility(settings.eligibility, facts.get(id) ?? {}, now)]));
    for (const e of list) {
      const v = verdicts.get(e.discordId)!;
      if (v.eligible || holds.has(engagementKey(e))) continue;
      holds.set(engagementKey(e), { reason: 'ineligible', code: v.unmet.map((u) => u.code).join(','), detail: v.unmet.map((u) => u.detail).join('; ') });
    }
  }
  return holds;
}

/**
 * Each reply is judged against what came before it (reply ids are time-ordered snowflakes): the
 * same member's earlier replies to the posts in the window, and other members' earlier replies to
 * the same post. The first of two copies earns; the later one is held.
 */
async function replyHolds(ctx: RunContext, list: Engagement[], settings: ModerationSettings, holds: Map<string, Hold>): Promise<void> {
  const replies = list.filter((e) => e.kind === 'reply');
  if (!replies.length) return;
  const texts = await ctx.wm.replyTexts([...ctx.tracked.keys()]);
  const prepared = new Map<string, PreparedReply>();
  const prep = (id: string, text: string) => {
    let p = prepared.get(id);
    if (!p) prepared.set(id, (p = prepareReply(text)));
    return p;
  };
  const byMember = new Map<string, Array<{ tweetId: string; id: string; text: string }>>();
  for (const [tweetId, members] of texts) {
    for (const [discordId, r] of members) {
      const own = byMember.get(discordId) ?? [];
      own.push({ tweetId, ...r });
      byMember.set(discordId, own);
    }
  }
  const before = (a: string, b: string) => BigInt(a) < BigInt(b);
  for (const e of replies) {
    const mine = texts.get(e.tweetId)?.get(e.discordId);
    if (!mine) {
      ctx.stats.inc('repliesUnchecked');
      continue;
    }
    const own = (byMember.get(e.discordId) ?? []).filter((r) => r.tweetId !== e.tweetId && r.id !== mine.id && before(r.id, mine.id)).map((r) => prep(r.id, r.text));
    const others = [...(texts.get(e.tweetId) ?? [])].filter(([d, r]) => d !== e.discordId && before(r.id, mine.id)).map(([, r]) => prep(r.id, r.text));
    const v = checkReply(settings.replies, prep(mine.id, mine.text), own, others);
    if (!v.ok) holds.set(engagementKey(e), { reason: 'reply', code: v.code, detail: v.detail, text: mine.text });
  }
}
