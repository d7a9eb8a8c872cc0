import { isIsoWeek, isoWeek, type LeaderboardEntry } from '../../domain';
import { ValidationError } from '../../errors';
import { pageBounds, type Page, type StoreContext } from './context';

export type Board = 'alltime' | 'weekly';

/**
 * All-time and weekly (ISO week, UTC) leaderboards as sorted sets; past weeks are kept.
 * Ties are ordered deterministically by Discord id (Redis orders equal scores lexicographically).
 * Banned members keep their scores in the sets but are left out of every answer (ranks close up
 * over them), so an unban brings them back exactly where their points put them.
 */
export class Leaderboard {
  constructor(private readonly ctx: StoreContext) {}

  private key(board: Board, week?: string): string {
    if (board === 'alltime') return this.ctx.keys.leaderboardAllTime();
    const w = week ?? isoWeek(this.ctx.now());
    if (!isIsoWeek(w)) throw new ValidationError(`Week must look like 2026-W48 (got ${w})`);
    return this.ctx.keys.leaderboardWeekly(w);
  }

  async top(opts: Page & { board: Board; week?: string }): Promise<{ entries: LeaderboardEntry[]; total: number }> {
    const key = this.key(opts.board, opts.week);
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
  async rank(discordId: string, opts: { board: Board; week?: string }): Promise<LeaderboardEntry | null> {
    const key = this.key(opts.board, opts.week);
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

  /** Points of each member on a board (0 for members not on it), in the order asked. */
  async scores(ids: string[], opts: { board: Board; week?: string }): Promise<number[]> {
    if (!ids.length) return [];
    const scores = await this.ctx.redis.zmscore(this.key(opts.board, opts.week), ...ids);
    return scores.map((s) => Number(s ?? 0));
  }

  /** Weeks that have a board, newest first. */
  async weeks(): Promise<string[]> {
    return this.ctx.redis.zrevrangebylex(this.ctx.keys.leaderboardWeeks(), '+', '-');
  }
}
