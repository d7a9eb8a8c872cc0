import { describe, expect, it } from 'vitest';
import { ActivityPlan, type PlanMember, type PlanPost } from '../src/stack';

const HOUR = 3_600_000;
const LIMIT = 10;

/** Ten hours of `npm start` left running, tick by tick (1.5 s), against the bot's real submit rule. */
function simulate(hours: number) {
  let seed = 7;
  const random = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const size = 12;
  const members: PlanMember[] = Array.from({ length: size }, (_, i) => ({ xUserId: `x${i}`, linked: true, core: i < 2, submittedAt: [] }));
  const posts: PlanPost[] = [];
  const plan = new ActivityPlan<PlanMember, PlanPost>({ size, submitLimitPerDay: LIMIT }, random);
  const start = Date.UTC(2026, 10, 29, 8);
  plan.started(start);
  const perHour = Array.from({ length: hours }, () => ({ submitted: 0, refused: 0, engagements: 0 }));
  // What the bot does: accept unless a non-core member already has LIMIT accepted in the last 24 h.
  const accepted = new Map<string, number[]>();
  for (let now = start; now < start + hours * HOUR; now += 1500) {
    const h = perHour[Math.floor((now - start) / HOUR)]!;
    const a = plan.next(now, members, posts);
    if (a.kind === 'join') members.push({ xUserId: `x${members.length}`, linked: false, core: false, submittedAt: [] });
    else if (a.kind === 'link') a.member.linked = true;
    else if (a.kind === 'submit') {
      plan.submitted(now);
      const before = (accepted.get(a.member.xUserId) ?? []).filter((t) => now - t < 24 * HOUR);
      if (!a.member.core && before.length >= LIMIT) h.refused += 1;
      else {
        accepted.set(a.member.xUserId, [...before, now]);
        a.member.submittedAt.push(now);
        posts.push({ authorId: a.member.xUserId, at: now, done: new Set() });
        h.submitted += 1;
      }
    } else if (a.kind === 'engage') {
      expect(a.post.done.has(`${a.member.xUserId}|${a.how}`)).toBe(false);
      expect(a.member.xUserId).not.toBe(a.post.authorId);
      a.post.done.add(`${a.member.xUserId}|${a.how}`);
      h.engagements += 1;
    }
  }
  return { perHour, members };
}

describe('the simulated community of npm start', () => {
  it('keeps posting and engaging every hour for ten hours, within the daily submit limit', () => {
    const { perHour, members } = simulate(10);
    for (const [i, h] of perHour.entries()) {
      expect(h.refused, `hour ${i + 1}`).toBe(0);
      expect(h.submitted, `hour ${i + 1}`).toBeGreaterThanOrEqual(15);
      expect(h.engagements, `hour ${i + 1}`).toBeGreaterThanOrEqual(200);
    }
    // Members below the limit kept submitting until their quota was used; the core team carries on after.
    expect(members.filter((m) => !m.core).every((m) => m.submittedAt.length <= LIMIT)).toBe(true);
    expect(members.length).toBe(36);
  });
});
