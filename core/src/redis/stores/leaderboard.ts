import { isIsoWeek, isPeriodId, periodOf, recentPeriods, SEASON_ID_RE, type LeaderboardEntry } from '../../domain';
import { ValidationError } from '../../errors';
import { pageBounds, type Page, type StoreContext } from './context';

/** all time, a calendar period (UTC day, ISO week, month) or a season. */
export type Board = 'alltime' | 'daily' | 'weekly' | 'monthly' | 'season';

/** Where a board lives: `period` is the day/week/month id (default: the current one); `season` the season id. */
export interface BoardRef {
  board: Board;
  /** ISO week, for the weekly board (kept for older callers; same as period). */
  week?: string;
  period?: string;
  season?: string;
}

const WINDOW_OF = { daily: 'day', weekly: 'week', monthly: 'month' } as const;

/**
 * All-time, daily, weekly (ISO week), monthly (all UTC) and season leaderboards as sorted sets; boards of
 * past periods are kept for a configured number of periods, then expire.
 * Ties are ordered deterministically by Discord id (Redis orders equal scores lexicographically).
 * Banned members keep their scores in the sets but are left out of every answer (ranks close up
 * over them), so an unban brings them back exactly where their points put them.
 */
export class Leaderboard {
  constructor(private readonly ctx: StoreContext) {}

  /** The Redis key of a board; a period or season id that is not one is refused. */
  key(ref: BoardRef): string {
    const k = this.ctx.keys;
    if (ref.board === 'alltime') return k.leaderboardAllTime();
    if (ref.board === 'season') {
      if (!ref.season || !SEASON_ID_RE.test(ref.season)) throw new ValidationError('Give a season id for the season board.');
      return k.leaderboardSeason(ref.season);
    }
    const window = WINDOW_OF[ref.board];
    const id = ref.period ?? ref.week ?? periodOf(window, this.ctx.now());
    if (window === 'week' && !isIsoWeek(id)) throw new ValidationError(`Week must look like 2026-W48 (got ${id})`);
    if (!isPeriodId(window, id)) throw new ValidationError(`Not a ${window}: ${id} (e.g. ${periodOf(window, this.ctx.now())})`);
    if (window === 'day') return k.leaderboardDaily(id);
    if (window === 'month') return k.leaderboardMonthly(id);
    return k.leaderboardWeekly(id);
  }

  /** Recent periods of a window that still have a board (boards of old periods expire), newest first. */
  async periods(board: 'daily' | 'weekly' | 'monthly', count = 12): Promise<string[]> {
    const window = WINDOW_OF[board];
    return this.withBoard(recentPeriods(window, this.ctx.now(), count), (id) => this.key({ board, period: id }));
  }

  /** The ids whose board exists (boards of old periods expire). */
  private async withBoard(ids: string[], keyOf: (id: string) => string): Promise<string[]> {
    if (!ids.length) return ids;
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.exists(keyOf(id));
    const res = (await p.exec()) ?? [];
    return ids.filter((_, i) => res[i]?.[1] === 1);
  }

  async top(opts: Page & BoardRef): Promise<{ entries: LeaderboardEntry[]; total: number }> {
    const key = this.key(opts);
    const { start, stop } = pageBounds({ offset: opts.offset, limit: opts.limit ?? 10 });
    const [size, { ids: banned, ranks: hidden }] = await Promise.all([this.ctx.redis.zcard(key), this.banned(key)]);
    // The page's positions in the set: the banned ranked before it or inside it shift it down.
    let from = start;
    let to = stop;
    for (const r of hidden) {
      if (r <= from) from++;
      else if (r <= to + (from - start)) to++;
    }
    to += from - start;
    const flat = stop < start ? [] : await this.ctx.redis.zrevrange(key, from, to, 'WITHSCORES');
    const entries: LeaderboardEntry[] = [];
    for (let i = 0; i < flat.length && entries.length <= stop - start; i += 2) {
      if (!banned.has(flat[i]!)) entries.push({ rank: start + entries.length + 1, discordId: flat[i]!, points: Number(flat[i + 1]) });
    }
    return { entries, total: size - hidden.length };
  }

  /** A member's rank among visible members; null when they have no score or are banned. */
  async rank(discordId: string, opts: BoardRef): Promise<LeaderboardEntry | null> {
    const key = this.key(opts);
    const [rank, score, { ids, ranks }] = await Promise.all([this.ctx.redis.zrevrank(key, discordId), this.ctx.redis.zscore(key, discordId), this.banned(key)]);
    if (rank === null || score === null || ids.has(discordId)) return null;
    return { rank: rank + 1 - ranks.filter((r) => r < rank).length, discordId, points: Number(score) };
  }

  /** The banned members, and their positions (0-based, highest score first) on a board, ascending. */
  private async banned(key: string): Promise<{ ids: Set<string>; ranks: number[] }> {
    const ids = await this.ctx.redis.hkeys(this.ctx.keys.bans());
    if (!ids.length) return { ids: new Set(), ranks: [] };
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.zrevrank(key, id);
    const res = (await p.exec()) ?? [];
    return { ids: new Set(ids), ranks: res.map(([, r]) => r as number | null).filter((r): r is number => r !== null).sort((a, b) => a - b) };
  }

  /**
   * Every visible member with at least `min` points on a board, best first, at most `limit` of them
   * (a role reward for points reads it; one ZRANGEBYSCORE).
   */
  async atLeast(min: number, opts: BoardRef, limit = 10_000): Promise<LeaderboardEntry[]> {
    const key = this.key(opts);
    const [flat, banned] = await Promise.all([this.ctx.redis.zrevrangebyscore(key, '+inf', min, 'WITHSCORES', 'LIMIT', 0, limit), this.ctx.redis.hkeys(this.ctx.keys.bans())]);
    const hidden = new Set(banned);
    const entries: LeaderboardEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      if (!hidden.has(flat[i]!)) entries.push({ rank: entries.length + 1, discordId: flat[i]!, points: Number(flat[i + 1]) });
    }
    return entries;
  }

  /** Points of each member on a board (0 for members not on it), in the order asked. */
  async scores(ids: string[], opts: BoardRef): Promise<number[]> {
    if (!ids.length) return [];
    const scores = await this.ctx.redis.zmscore(this.key(opts), ...ids);
    return scores.map((s) => Number(s ?? 0));
  }

  /**
   * Weeks that have a board, newest first. The award scripts keep the index to the kept weeks; a board
   * that expired since the last award is left out here too.
   */
  async weeks(): Promise<string[]> {
    return this.withBoard(await this.ctx.redis.zrevrangebylex(this.ctx.keys.leaderboardWeeks(), '+', '-'), this.ctx.keys.leaderboardWeekly);
  }
}
