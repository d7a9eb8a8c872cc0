import { isoWeek, type LeaderboardEntry, type Stores } from '@engagement-tracker/core';

export const PAGE_SIZE = 10;
export type BoardChoice = 'weekly' | 'alltime';

export interface LeaderboardPage {
  board: BoardChoice;
  week?: string;
  page: number;
  pages: number;
  total: number;
  entries: LeaderboardEntry[];
  viewer: LeaderboardEntry | null;
  viewerId: string;
}

/** One page of a board plus the viewer's own rank; pages are clamped to what exists. */
export async function leaderboardPage(stores: Stores, opts: { board: BoardChoice; page: number; viewerId: string; now: number }): Promise<LeaderboardPage> {
  const week = opts.board === 'weekly' ? isoWeek(opts.now) : undefined;
  const board = opts.board === 'weekly' ? 'weekly' : 'alltime';
  const first = await stores.leaderboard.top({ board, week, offset: Math.max(0, opts.page) * PAGE_SIZE, limit: PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(first.total / PAGE_SIZE));
  let page = Math.min(Math.max(0, opts.page), pages - 1);
  let result = first;
  if (page !== opts.page) result = await stores.leaderboard.top({ board, week, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
  if (!result.entries.length) page = 0;
  const viewer = await stores.leaderboard.rank(opts.viewerId, { board, week });
  return { board: opts.board, week, page, pages, total: result.total, entries: result.entries, viewer, viewerId: opts.viewerId };
}
