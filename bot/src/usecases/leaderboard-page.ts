import { defaultSeason, periodOf, type LeaderboardEntry, type Stores } from '@engagement-tracker/core';

export const PAGE_SIZE = 10;
/** The boards /leaderboard offers: a UTC day, ISO week or month, a season, or all time. */
export const BOARD_CHOICES = ['daily', 'weekly', 'monthly', 'season', 'alltime'] as const;
export type BoardChoice = (typeof BOARD_CHOICES)[number];

export interface LeaderboardPage {
  board: BoardChoice;
  /** The day, week or month shown (daily/weekly/monthly boards). */
  period?: string;
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

const WINDOW = { daily: 'day', weekly: 'week', monthly: 'month' } as const;

export function isBoardChoice(v: unknown): v is BoardChoice {
  return typeof v === 'string' && (BOARD_CHOICES as readonly string[]).includes(v);
}

/**
 * One page of a board plus the viewer's own rank; pages are clamped to what exists. The season board
 * shows the given season, else the running one, else the one that ended last; undefined when there is none.
 */
export async function leaderboardPage(
  stores: Stores,
  opts: { board: BoardChoice; page: number; viewerId: string; now: number; season?: string },
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
    ref = { board: opts.board, period: periodOf(WINDOW[opts.board], opts.now) };
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
    ...(ref.period ? { period: ref.period } : {}),
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
