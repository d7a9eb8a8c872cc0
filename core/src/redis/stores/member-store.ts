import { ENGAGEMENT_KINDS, parseTier, type EngagementKind, type Member, type Tier } from '../../domain';
import { NotFoundError } from '../../errors';
import { ScriptErrorCode } from '../error-codes';
import { int, pageBounds, type Page, type PageResult, type StoreContext } from './context';

/** Discord members with tier, points and award counts (hash engagement:member:{discordId}). */
export class MemberStore {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Create the member with tier 1 if new; refresh the display name (when not empty). The one way a
   * member comes to exist: linking X runs the same Lua include inside its script.
   */
  async ensure(discordId: string, displayName: string): Promise<Member> {
    const { keys } = this.ctx;
    await this.ctx.run('ensureMember', [keys.member(discordId), keys.members()], [discordId, displayName, this.ctx.now()]);
    return (await this.get(discordId))!;
  }

  async get(discordId: string): Promise<Member | null> {
    const h = await this.ctx.redis.hgetall(this.ctx.keys.member(discordId));
    return toMember(h);
  }

  async getMany(ids: string[]): Promise<Array<Member | null>> {
    if (ids.length === 0) return [];
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.hgetall(this.ctx.keys.member(id));
    const res = (await p.exec()) ?? [];
    return res.map(([, h]) => toMember(h as Record<string, string>));
  }

  /**
   * Members by join time (oldest first by default), or by all-time points (highest first by default).
   * The all-time board holds only members who ever scored; the rest (0 points) come after them (DESC)
   * or before them (ASC), and are only looked up when a page reaches them.
   */
  async list(page: Page & { sort?: 'joinedAt' | 'totalPoints'; order?: 'ASC' | 'DESC' } = {}): Promise<PageResult<Member>> {
    const { start, stop } = pageBounds(page);
    const { redis, keys } = this.ctx;
    if (page.sort !== 'totalPoints') {
      const desc = page.order === 'DESC';
      const [total, ids] = await Promise.all([redis.zcard(keys.members()), desc ? redis.zrevrange(keys.members(), start, stop) : redis.zrange(keys.members(), start, String(stop))]);
      return { total, items: await this.existing(ids) };
    }
    const desc = (page.order ?? 'DESC') === 'DESC';
    const limit = stop - start + 1;
    const board = keys.leaderboardAllTime();
    const [total, onBoard] = await Promise.all([redis.zcard(keys.members()), redis.zcard(board)]);
    const zeros = total - onBoard;
    const fromBoard = (from: number, count: number) =>
      count <= 0 ? Promise.resolve([] as string[]) : desc ? redis.zrevrange(board, from, from + count - 1) : redis.zrange(board, from, String(from + count - 1));
    const zeroIds = async (from: number, count: number): Promise<string[]> => {
      if (count <= 0 || zeros <= 0) return [];
      const all = await redis.zrange(keys.members(), 0, '-1');
      const scores = await redis.zmscore(board, ...all);
      return all.filter((_, i) => scores[i] === null).slice(from, from + count);
    };
    let ids: string[];
    if (desc) {
      const a = await fromBoard(start, Math.min(limit, onBoard - start));
      ids = [...a, ...(await zeroIds(Math.max(0, start - onBoard), limit - a.length))];
    } else {
      const z = await zeroIds(start, Math.min(limit, zeros - start));
      ids = [...z, ...(await fromBoard(Math.max(0, start - zeros), limit - z.length))];
    }
    return { total, items: await this.existing(ids) };
  }

  /** Members with no X link (never linked, or unlinked), by join time. */
  async unlinkedIds(): Promise<string[]> {
    const { redis, keys } = this.ctx;
    const [all, linked] = await Promise.all([redis.zrange(keys.members(), 0, '-1'), redis.zrange(keys.connections(), 0, '-1')]);
    const l = new Set(linked);
    return all.filter((id) => !l.has(id));
  }

  private async existing(ids: string[]): Promise<Member[]> {
    return (await this.getMany(ids)).filter((m): m is Member => m !== null);
  }

  count(): Promise<number> {
    return this.ctx.redis.zcard(this.ctx.keys.members());
  }

  async setTier(discordId: string, tier: Tier, actor: string): Promise<{ before: Tier; after: Tier }> {
    const after = parseTier(tier);
    const res = (await this.ctx.run('setTier', [this.ctx.keys.member(discordId), this.ctx.keys.audit()], [after, actor, this.ctx.now(), discordId])) as number;
    if (res === ScriptErrorCode.NotFound) throw new NotFoundError(`No member ${discordId}. They appear once they use a command or link X.`);
    return { before: parseTier(res), after };
  }
}

export function toMember(h: Record<string, string> | null | undefined): Member | null {
  if (!h || !h.discordId) return null;
  const counts = Object.fromEntries(ENGAGEMENT_KINDS.map((k) => [k, int(h[`count_${k}`])])) as Record<EngagementKind, number>;
  return {
    discordId: h.discordId,
    displayName: h.displayName ?? h.discordId,
    tier: parseTier(int(h.tier, 1)),
    totalPoints: int(h.totalPoints),
    counts,
    joinedAt: int(h.joinedAt),
    updatedAt: int(h.updatedAt),
  };
}
