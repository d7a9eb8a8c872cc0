import type { StoreContext } from './context';

/** The most (role, member) pairs remembered; past it the soonest to expire go first (they are simply read again). */
export const LEFT_ALONE_MAX = 50_000;

/**
 * Members the role sync leaves alone for a role until a time: a human gave them the role (the bot never takes
 * it over or removes it), or they left the server. Kept in Redis, so a restarted bot or a second replica knows
 * it too instead of reading each of them from Discord again. One zset for all roles, bounded in time (entries
 * pass, the key expires with its last one) and in size (`LEFT_ALONE_MAX`).
 */
export class RoleLeftAlone {
  constructor(private readonly ctx: StoreContext) {}

  /** Leave these members alone for the role until `until` (ms). */
  async leave(roleId: string, discordIds: string[], until: number): Promise<void> {
    if (!discordIds.length) return;
    await this.ctx.run('leaveAlone', [this.ctx.keys.roleLeftAlone()], [this.ctx.now(), until, LEFT_ALONE_MAX, ...discordIds.map((id) => `${roleId}:${id}`)]);
  }

  /** Role id -> members left alone now. */
  async current(): Promise<Map<string, Set<string>>> {
    const out = new Map<string, Set<string>>();
    for (const entry of await this.ctx.redis.zrangebyscore(this.ctx.keys.roleLeftAlone(), `(${this.ctx.now()}`, '+inf')) {
      const [roleId, discordId] = entry.split(':') as [string, string];
      let set = out.get(roleId);
      if (!set) out.set(roleId, (set = new Set()));
      set.add(discordId);
    }
    return out;
  }
}
