import { defaultSeason, isPeriodId, periodBounds, periodOf, type LeaderboardEntry, type Stores } from '@engagement-tracker/core';

export const PAGE_SIZE = 10;
/** The boards /leaderboard offers: a UTC day, ISO week or month, a season, or all time. */
export const BOARD_CHOICES = ['daily', 'weekly', 'monthly', 'season', 'alltime'] as const;
export type BoardChoice = (typeof BOARD_CHOICES)[number];
/** The boards of a calendar period, whose past periods can be browsed. */
export const PERIOD_BOARDS = ['daily', 'weekly', 'monthly'] as const;
export type PeriodBoard = (typeof PERIOD_BOARDS)[number];

export interface LeaderboardPage {
  board: BoardChoice;
  /** The day, week or month shown (daily/weekly/monthly boards). */
  period?: string;
  /** The period shown is over (a past day, week or month). */
  periodEnded?: boolean;
  /** The season shown (season board). */
  season?: { id: string; name: string; status: string };
  /** Kept for older callers: the week of a weekly board. */
  week?: string;
  page: number;
  pages: number;
  total: number;
  entries: LeaderboardEntry[];
  viewer: LeaderboardEntry | null;
  viewerId: string;
}

export const WINDOW = { daily: 'day', weekly: 'week', monthly: 'month' } as const;
const WINDOW_NAMES = { daily: 'day', weekly: 'week', monthly: 'month', season: 'season', alltime: 'all time' } as const;

export function isBoardChoice(v: unknown): v is BoardChoice {
  return typeof v === 'string' && (BOARD_CHOICES as readonly string[]).includes(v);
}

export function isPeriodBoard(v: unknown): v is PeriodBoard {
  return typeof v === 'string' && (PERIOD_BOARDS as readonly string[]).includes(v);
}

/**
 * Which board `/leaderboard [window] period:<id>` asks for: the window given, else the one the id's form
 * names (2026-11-28 a day, 2026-W48 a week, 2026-11 a month). Refuses an id that is no period of the
 * window, a period that has not started, and a period with the season or all-time board. Pure.
 */
export function resolvePeriod(window: string | null, period: string, now: number): { ok: true; board: PeriodBoard; period: string } | { ok: false; message: string } {
  const id = period.trim();
  if (window !== null && !isPeriodBoard(window)) {
    return { ok: false, message: `The ${isBoardChoice(window) ? WINDOW_NAMES[window] : window} board has no past periods: pick today, this week or this month with a period.` };
  }
  const boards = window === null ? PERIOD_BOARDS : [window];
  const board = boards.find((b) => isPeriodId(WINDOW[b], id));
  if (!board) {
    const examples = boards.map((b) => `a ${WINDOW[b]} like ${periodOf(WINDOW[b], now)}`).join(', ');
    return { ok: false, message: `"${id.slice(0, 40)}" is not a period: give ${examples}.` };
  }
  if (periodBounds(WINDOW[board], id)!.start > now) return { ok: false, message: `The ${WINDOW[board]} ${id} has not started yet.` };
  return { ok: true, board, period: id };
}

/**
 * One page of a board plus the viewer's own rank; pages are clamped to what exists. A day, week or month
 * board shows the given period, else the current one. The season board shows the given season, else the
 * running one, else the one that ended last; undefined when there is none.
 */
export async function leaderboardPage(
  stores: Stores,
  opts: { board: BoardChoice; page: number; viewerId: string; now: number; season?: string; period?: string },
): Promise<LeaderboardPage | undefined> {
  let ref: { board: BoardChoice; period?: string; season?: string } = { board: opts.board };
  let season: LeaderboardPage['season'];
  if (opts.board === 'season') {
    const all = await stores.seasons.list();
    const pick = opts.season
      ? all.find((s) => s.id === opts.season || s.name.toLowerCase() === opts.season!.toLowerCase())
      : defaultSeason(all);
    if (!pick) return undefined;
    season = { id: pick.id, name: pick.name, status: pick.status };
    ref = { board: 'season', season: pick.id };
  } else if (opts.board !== 'alltime') {
    ref = { board: opts.board, period: opts.period ?? periodOf(WINDOW[opts.board], opts.now) };
  }
  const first = await stores.leaderboard.top({ ...ref, offset: Math.max(0, opts.page) * PAGE_SIZE, limit: PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(first.total / PAGE_SIZE));
  let page = Math.min(Math.max(0, opts.page), pages - 1);
  let result = first;
  if (page !== opts.page) result = await stores.leaderboard.top({ ...ref, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
  if (!result.entries.length) page = 0;
  const viewer = await stores.leaderboard.rank(opts.viewerId, ref);
  return {
    board: opts.board,
    ...(ref.period ? { period: ref.period, periodEnded: periodBounds(WINDOW[opts.board as PeriodBoard], ref.period)!.end <= opts.now } : {}),
    ...(opts.board === 'weekly' ? { week: ref.period } : {}),
    ...(season ? { season } : {}),
    page,
    pages,
    total: result.total,
    entries: result.entries,
    viewer,
    viewerId: opts.viewerId,
  };
}
