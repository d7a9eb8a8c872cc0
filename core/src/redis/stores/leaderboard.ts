import { isIsoWeek, isoWeek, type LeaderboardEntry } from '../../domain';
import { ValidationError } from '../../errors';
import { pageBounds, type Page, type StoreContext } from './context';

export type Board = 'alltime' | 'weekly';

/**
 * All-time and weekly (ISO week, UTC) leaderboards as sorted sets; past weeks are kept.
 * Ties are ordered deterministically by Discord id (Redis orders equal scores lexicographically).
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
    const [total, flat] = await Promise.all([this.ctx.redis.zcard(key), this.ctx.redis.zrevrange(key, start, stop, 'WITHSCORES')]);
    const entries: LeaderboardEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) entries.push({ rank: start + i / 2 + 1, discordId: flat[i]!, points: Number(flat[i + 1]) });
    return { entries, total };
  }

  async rank(discordId: string, opts: { board: Board; week?: string }): Promise<LeaderboardEntry | null> {
    const key = this.key(opts.board, opts.week);
    const [rank, score] = await Promise.all([this.ctx.redis.zrevrank(key, discordId), this.ctx.redis.zscore(key, discordId)]);
    return rank === null || score === null ? null : { rank: rank + 1, discordId, points: Number(score) };
  }

  /** Weeks that have a board, newest first. */
  async weeks(): Promise<string[]> {
    return this.ctx.redis.zrevrangebylex(this.ctx.keys.leaderboardWeeks(), '+', '-');
  }
}
