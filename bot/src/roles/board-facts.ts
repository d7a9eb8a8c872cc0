import { defaultSeason, periodBounds, periodOf, type RoleRewardRule, type RoleRuleFacts, type Season, type Stores } from '@engagement-tracker/core';

/** The most members a points rule reads from the all-time board per sync. */
export const MAX_POINTS_HOLDERS = 10_000;

/**
 * The board facts each rule needs, read through the leaderboard store (banned members are already left
 * out): the all-time members at or above a points rule's threshold; the top K of the current ISO week
 * (UTC) or of a season (the rule's fixed one, else the running one, else the one that ended last, as
 * /leaderboard shows it). One read per distinct board and size per sync.
 */
export async function readRuleFacts(stores: Stores, rules: readonly RoleRewardRule[], seasons: readonly Season[], now: number): Promise<Map<string, RoleRuleFacts>> {
  const reads = new Map<string, Promise<RoleRuleFacts>>();
  const once = (key: string, read: () => Promise<RoleRuleFacts>) => {
    let p = reads.get(key);
    if (!p) reads.set(key, (p = read()));
    return p;
  };
  const out = new Map<string, RoleRuleFacts>();
  await Promise.all(
    rules.map(async (rule) => {
      const c = rule.condition;
      let facts: RoleRuleFacts;
      if (c.type === 'points') {
        facts = await once(`points:${c.minPoints}`, async () => ({ allTime: await stores.leaderboard.atLeast(c.minPoints, { board: 'alltime' }, MAX_POINTS_HOLDERS) }));
      } else if (c.board === 'week') {
        const week = periodOf('week', now);
        facts = await once(`week:${week}:${c.top}`, async () => ({ board: (await stores.leaderboard.top({ board: 'weekly', period: week, offset: 0, limit: c.top })).entries }));
      } else {
        const season = c.seasonId ? seasons.find((s) => s.id === c.seasonId) : defaultSeason(seasons);
        facts = season ? await once(`season:${season.id}:${c.top}`, async () => ({ board: (await stores.leaderboard.top({ board: 'season', season: season.id, offset: 0, limit: c.top })).entries })) : { board: [] };
      }
      out.set(rule.id, facts);
    }),
  );
  return out;
}

/**
 * The next moment a rank rule's board changes by itself: the next ISO week (UTC Monday 00:00) or a season
 * starting or ending. The sync runs right after it, so period ends apply at once, not a loop period late.
 */
export function nextPeriodBoundary(seasons: readonly Pick<Season, 'startsAt' | 'endsAt'>[], now: number): number {
  let next = periodBounds('week', periodOf('week', now))!.end;
  for (const s of seasons) {
    for (const t of [s.startsAt, s.endsAt]) if (t > now && t < next) next = t;
  }
  return next;
}
