import { isoWeek } from './week';

/**
 * Leaderboard windows and their periods, in UTC (no DST anywhere).
 * A period id names one calendar period of a window:
 *   day   "2026-11-29"
 *   week  "2026-W48"   (ISO-8601, Monday first; the Thursday decides the year)
 *   month "2026-11"
 *   all   "all"
 */
export const PERIOD_WINDOWS = ['day', 'week', 'month', 'all'] as const;
export type PeriodWindow = (typeof PERIOD_WINDOWS)[number];

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WEEK_RE = /^(\d{4})-W(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;

export function isPeriodWindow(value: unknown): value is PeriodWindow {
  return typeof value === 'string' && (PERIOD_WINDOWS as readonly string[]).includes(value);
}

/** The period of `window` that contains the instant `at` (epoch ms). */
export function periodOf(window: PeriodWindow, at: number): string {
  const d = new Date(at);
  switch (window) {
    case 'day':
      return d.toISOString().slice(0, 10);
    case 'week':
      return isoWeek(at);
    case 'month':
      return d.toISOString().slice(0, 7);
    case 'all':
      return 'all';
  }
}

/** Number of ISO weeks in a year (52 or 53): a year has 53 when Dec 28 falls in week 53. */
export function isoWeeksInYear(year: number): number {
  return isoWeek(Date.UTC(year, 11, 28)) === `${year}-W53` ? 53 : 52;
}

/** Monday 00:00 UTC of ISO week 1 of `year`. */
function isoYearStart(year: number): number {
  const jan4 = Date.UTC(year, 0, 4);
  const dow = new Date(jan4).getUTCDay() || 7;
  return jan4 - (dow - 1) * DAY_MS;
}

/**
 * Bounds of a period: `start` inclusive, `end` exclusive, epoch ms. Returns undefined when the id is not
 * a real period of that window (2026-02-30, 2026-W53 in a 52-week year, month 13, ...).
 */
export function periodBounds(window: PeriodWindow, id: string): { start: number; end: number } | undefined {
  if (window === 'all') return id === 'all' ? { start: 0, end: Number.MAX_SAFE_INTEGER } : undefined;
  if (window === 'day') {
    const m = DAY_RE.exec(id);
    if (!m) return undefined;
    const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (periodOf('day', start) !== id) return undefined;
    return { start, end: start + DAY_MS };
  }
  if (window === 'week') {
    const m = WEEK_RE.exec(id);
    if (!m) return undefined;
    const year = Number(m[1]);
    const week = Number(m[2]);
    if (week < 1 || week > isoWeeksInYear(year)) return undefined;
    const start = isoYearStart(year) + (week - 1) * 7 * DAY_MS;
    return { start, end: start + 7 * DAY_MS };
  }
  const m = MONTH_RE.exec(id);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  return { start: Date.UTC(year, month - 1, 1), end: Date.UTC(year, month, 1) };
}

export function isPeriodId(window: PeriodWindow, id: string): boolean {
  return periodBounds(window, id) !== undefined;
}

/** The period `steps` periods before (negative: after) the given one. */
export function shiftPeriod(window: PeriodWindow, id: string, steps: number): string | undefined {
  const bounds = periodBounds(window, id);
  if (!bounds || window === 'all') return bounds ? id : undefined;
  if (window === 'month') {
    const d = new Date(bounds.start);
    return periodOf('month', Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - steps, 1));
  }
  const span = window === 'day' ? DAY_MS : 7 * DAY_MS;
  return periodOf(window, bounds.start - steps * span);
}

/** The current period and up to `count - 1` earlier ones, newest first. */
export function recentPeriods(window: PeriodWindow, at: number, count: number): string[] {
  const current = periodOf(window, at);
  if (window === 'all') return count > 0 ? [current] : [];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = shiftPeriod(window, current, i);
    if (id) out.push(id);
  }
  return out;
}

/** How many periods the boards of past days, ISO weeks and months stay browsable before they expire. */
export interface BoardRetention {
  days: number;
  weeks: number;
  months: number;
}

export const DEFAULT_BOARD_RETENTION: BoardRetention = { days: 62, weeks: 53, months: 24 };

/** The retention of a window's boards ('all' is kept for ever: undefined). */
export function keptPeriods(window: PeriodWindow, r: BoardRetention): number | undefined {
  return window === 'day' ? r.days : window === 'week' ? r.weeks : window === 'month' ? r.months : undefined;
}

/** When a period's board expires: the end of the period `keepPeriods` later (epoch ms). */
export function periodKeptUntil(window: PeriodWindow, id: string, keepPeriods: number): number | undefined {
  if (window === 'all') return undefined;
  const bounds = periodBounds(window, id);
  if (!bounds) return undefined;
  return periodBounds(window, shiftPeriod(window, id, -keepPeriods) ?? id)?.end ?? bounds.end;
}

/**
 * Seconds a period's board should live after the period ends, so it can be browsed for `keepPeriods`
 * further periods of the same window, then expire (no unbounded growth). Undefined for 'all' (kept).
 */
export function periodBoardTtlSeconds(window: PeriodWindow, id: string, keepPeriods: number, now: number): number | undefined {
  const keptUntil = periodKeptUntil(window, id, keepPeriods);
  return keptUntil === undefined ? undefined : Math.max(1, Math.ceil((keptUntil - now) / 1000));
}

/**
 * The oldest period of a window whose board still exists at `now` with `keepPeriods` kept: every earlier
 * board has expired (the weeks index drops the weeks before it).
 */
export function oldestKeptPeriod(window: PeriodWindow, now: number, keepPeriods: number): string {
  return shiftPeriod(window, periodOf(window, now), keepPeriods) ?? periodOf(window, now);
}
