import { ENGAGEMENT_KINDS, parseTier, type EngagementKind, type Member, type Tier } from '../../domain';
import { NotFoundError } from '../../errors';
import { ScriptErrorCode } from '../error-codes';
import { int, pageBounds, type Page, type PageResult, type StoreContext } from './context';

/** Discord members with tier, points and award counts (hash engagement:member:{discordId}). */
export class MemberStore {
  constructor(private readonly ctx: StoreContext) {}

  /** Create the member with tier 1 if new; refresh the display name. */
  async ensure(discordId: string, displayName: string): Promise<Member> {
    const { redis, keys } = this.ctx;
    const now = this.ctx.now();
    await redis
      .multi()
      .hsetnx(keys.member(discordId), 'discordId', discordId)
      .hsetnx(keys.member(discordId), 'tier', 1)
      .hsetnx(keys.member(discordId), 'totalPoints', 0)
      .hsetnx(keys.member(discordId), 'joinedAt', now)
      .hset(keys.member(discordId), 'displayName', displayName, 'updatedAt', now)
      .zadd(keys.members(), 'NX', now, discordId)
      .exec();
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

  /** Members by join time (oldest first), or by all-time points (highest first). */
  async list(page: Page & { sort?: 'joinedAt' | 'totalPoints'; order?: 'ASC' | 'DESC' } = {}): Promise<PageResult<Member>> {
    const { start, stop } = pageBounds(page);
    const byPoints = page.sort === 'totalPoints';
    const key = byPoints ? this.ctx.keys.leaderboardAllTime() : this.ctx.keys.members();
    const desc = (page.order ?? (byPoints ? 'DESC' : 'ASC')) === 'DESC';
    const [total, ids] = await Promise.all([
      this.ctx.redis.zcard(this.ctx.keys.members()),
      desc ? this.ctx.redis.zrevrange(key, start, stop) : this.ctx.redis.zrange(key, start, String(stop)),
    ]);
    const members = await this.getMany(ids);
    return { total, items: members.filter((m): m is Member => m !== null) };
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
