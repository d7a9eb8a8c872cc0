/**
 * Seasons: a named stretch of time (UTC) with its own leaderboard, an optional point multiplier, optional
 * caps and an optional reward zone. Pure rules only; storage and the award script live in the Redis layer.
 *
 * Multipliers are whole percentages (100 = ×1, 150 = ×1.5) so TypeScript and Lua compute the same integer
 * points: seasonPoints = floor(base × pct / 100), then clipped by the caps.
 */
export interface SeasonSpec {
  name: string;
  /** Epoch ms, inclusive. */
  startsAt: number;
  /** Epoch ms, exclusive. */
  endsAt: number;
  /** Whole percent, 1-1000; 100 when absent. */
  multiplierPct?: number;
  /** Max season points one member can earn from one post. */
  capPerPost?: number;
  /** Max season points one member can earn in one UTC day. */
  capPerDay?: number;
  /** Categories the season covers; empty or absent = every category. */
  categories?: string[];
  /** Size of the reward zone (top N), announced when the season ends. */
  rewardTop?: number;
}

export interface Season extends SeasonSpec {
  id: string;
  status: 'scheduled' | 'running' | 'ended';
  createdAt: number;
  updatedAt: number;
}

export const SEASON_LIMITS = {
  nameMax: 80,
  multiplierPct: { min: 1, max: 1000 },
  cap: { min: 1, max: 1_000_000 },
  rewardTop: { min: 1, max: 100 },
  categoriesMax: 20,
  /** A season lasts at least an hour and at most a year. */
  minLengthMs: 3_600_000,
  maxLengthMs: 366 * 86_400_000,
} as const;

export type SeasonCheck = { ok: true } | { ok: false; field: keyof SeasonSpec; reason: string };

export function validateSeason(spec: SeasonSpec): SeasonCheck {
  if (!spec.name.trim() || spec.name.length > SEASON_LIMITS.nameMax) {
    return { ok: false, field: 'name', reason: `The name must be 1-${SEASON_LIMITS.nameMax} characters.` };
  }
  if (!Number.isSafeInteger(spec.startsAt) || !Number.isSafeInteger(spec.endsAt)) {
    return { ok: false, field: 'startsAt', reason: 'Start and end must be valid dates.' };
  }
  const length = spec.endsAt - spec.startsAt;
  if (length < SEASON_LIMITS.minLengthMs) return { ok: false, field: 'endsAt', reason: 'The season must end at least an hour after it starts.' };
  if (length > SEASON_LIMITS.maxLengthMs) return { ok: false, field: 'endsAt', reason: 'A season lasts at most 366 days.' };
  const intIn = (v: number | undefined, r: { min: number; max: number }) => v === undefined || (Number.isInteger(v) && v >= r.min && v <= r.max);
  if (!intIn(spec.multiplierPct, SEASON_LIMITS.multiplierPct)) {
    return { ok: false, field: 'multiplierPct', reason: 'The multiplier must be a whole percent from 1 to 1000 (100 = ×1).' };
  }
  if (!intIn(spec.capPerPost, SEASON_LIMITS.cap)) return { ok: false, field: 'capPerPost', reason: 'The cap per post must be a whole number from 1 to 1,000,000.' };
  if (!intIn(spec.capPerDay, SEASON_LIMITS.cap)) return { ok: false, field: 'capPerDay', reason: 'The cap per day must be a whole number from 1 to 1,000,000.' };
  if (!intIn(spec.rewardTop, SEASON_LIMITS.rewardTop)) return { ok: false, field: 'rewardTop', reason: 'The reward zone must be the top 1 to 100.' };
  const cats = spec.categories ?? [];
  if (cats.length > SEASON_LIMITS.categoriesMax) return { ok: false, field: 'categories', reason: `At most ${SEASON_LIMITS.categoriesMax} categories.` };
  if (new Set(cats).size !== cats.length) return { ok: false, field: 'categories', reason: 'A category is listed twice.' };
  return { ok: true };
}

/** True when the season counts awards on posts of `category`. */
export function seasonCovers(season: Pick<SeasonSpec, 'categories'>, category: string): boolean {
  const cats = season.categories ?? [];
  return cats.length === 0 || cats.includes(category);
}

/** Two seasons clash when their times overlap and they could both count the same post. */
export function seasonsClash(a: SeasonSpec, b: SeasonSpec): boolean {
  const timesOverlap = a.startsAt < b.endsAt && b.startsAt < a.endsAt;
  if (!timesOverlap) return false;
  const ac = a.categories ?? [];
  const bc = b.categories ?? [];
  if (ac.length === 0 || bc.length === 0) return true;
  return ac.some((c) => bc.includes(c));
}

export function seasonStatus(season: Pick<SeasonSpec, 'startsAt' | 'endsAt'>, now: number): Season['status'] {
  if (now < season.startsAt) return 'scheduled';
  return now < season.endsAt ? 'running' : 'ended';
}

/** The season a board shows when none is named: the running one, else the one that ended last. */
export function defaultSeason<S extends Pick<Season, 'status' | 'endsAt'>>(seasons: readonly S[]): S | undefined {
  return seasons.find((s) => s.status === 'running') ?? seasons.filter((s) => s.status === 'ended').sort((a, b) => b.endsAt - a.endsAt)[0];
}

/** The season (at most one, since clashing seasons are refused) that counts an award on `category` at `at`. */
export function seasonFor<S extends SeasonSpec>(seasons: readonly S[], category: string, at: number): S | undefined {
  return seasons.find((s) => at >= s.startsAt && at < s.endsAt && seasonCovers(s, category));
}

/**
 * Season points of one award: the base points times the multiplier (floored), then clipped so the member's
 * season points from this post and on this UTC day stay within the caps. `usedOnPost`/`usedOnDay` are the
 * season points the member already has from that post / day. Never negative.
 */
export function seasonPoints(
  base: number,
  season: Pick<SeasonSpec, 'multiplierPct' | 'capPerPost' | 'capPerDay'>,
  usedOnPost: number,
  usedOnDay: number,
): number {
  let pts = Math.floor((base * (season.multiplierPct ?? 100)) / 100);
  if (season.capPerPost !== undefined) pts = Math.min(pts, season.capPerPost - usedOnPost);
  if (season.capPerDay !== undefined) pts = Math.min(pts, season.capPerDay - usedOnDay);
  return Math.max(0, pts);
}

/**
 * How long a season's cap usage (points per member per post and per day) is kept after the season ends:
 * nothing reads it once the season is over (awards after the end do not count; the ledger check
 * recomputes season boards from the award logs), so it expires then, with a week's grace for a late
 * batch still awarding at a time inside the season.
 */
export const SEASON_USAGE_GRACE_MS = 7 * 86_400_000;

/** What an award log records about its season: the season, its points there and the multiplier in force. */
export interface LogSeason {
  seasonId: string;
  seasonPoints: number;
  seasonMultiplierPct: number;
}

/**
 * The season record of an award log. Award logs carry one field `season` = `<seasonId>:<points>:<pct>`
 * (written by the award script); logs written before it carry `seasonId`, `seasonPoints` and
 * `seasonMultiplierPct`. Both read the same.
 */
export function logSeason(h: { season?: string; seasonId?: string; seasonPoints?: string; seasonMultiplierPct?: string }): LogSeason | undefined {
  if (h.season) {
    const m = /^([^:]+):(-?\d+):(\d+)$/.exec(h.season);
    return m ? { seasonId: m[1]!, seasonPoints: Number(m[2]), seasonMultiplierPct: Number(m[3]) } : undefined;
  }
  if (!h.seasonId) return undefined;
  const pct = h.seasonMultiplierPct ? Number(h.seasonMultiplierPct) : 100;
  return { seasonId: h.seasonId, seasonPoints: h.seasonPoints ? Number(h.seasonPoints) : 0, seasonMultiplierPct: pct };
}
