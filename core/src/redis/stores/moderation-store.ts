import { applyModerationChange, DEFAULT_ELIGIBILITY, DEFAULT_MODERATION, DEFAULT_REPLY_RULES, type EligibilityFacts, type ModerationSettings } from '../../domain';
import { int, json, type StoreContext } from './context';

/**
 * The admins' moderation settings (one JSON document, audited on change) and the facts eligibility
 * is checked against: X facts on the link (from linking and the daily user lookup), Discord facts
 * on the member (recorded by the bot whenever the member uses a command).
 */
export class ModerationStore {
  constructor(private readonly ctx: StoreContext) {}

  async get(): Promise<ModerationSettings> {
    const saved = json<Partial<ModerationSettings>>(await this.ctx.redis.get(this.ctx.keys.settings('moderation')), {});
    return {
      eligibility: { ...DEFAULT_ELIGIBILITY, ...saved.eligibility },
      replies: { ...DEFAULT_REPLY_RULES, ...saved.replies },
      relinkCooldownHours: saved.relinkCooldownHours ?? DEFAULT_MODERATION.relinkCooldownHours,
    };
  }

  /** Validate and save a change to any part; audited with before and after. */
  async update(change: unknown, actor: string): Promise<ModerationSettings> {
    const before = await this.get();
    const after = applyModerationChange(before, change);
    const { keys } = this.ctx;
    await this.ctx.run('setAudited', [keys.settings('moderation'), keys.audit()], [
      JSON.stringify(after), actor, 'settings.moderation', 'settings:moderation', JSON.stringify(before), JSON.stringify(after), this.ctx.now(),
    ]);
    return after;
  }

  /** Record what X says about a linked member's account (only while the link exists). */
  async setXFacts(discordId: string, f: { xCreatedAt?: number; followers?: number; protected?: boolean }): Promise<void> {
    const fields: Array<string | number> = ['factsAt', this.ctx.now()];
    if (f.xCreatedAt !== undefined) fields.push('xCreatedAt', f.xCreatedAt);
    if (f.followers !== undefined) fields.push('followers', f.followers);
    if (f.protected !== undefined) fields.push('protected', f.protected ? 1 : 0);
    await this.ctx.run('updateIfStatus', [this.ctx.keys.connection(discordId)], ['', ...fields]);
  }

  /** Record the member's Discord facts (join time in the server, roles) as the bot sees them. */
  async setDiscordFacts(discordId: string, f: { guildJoinedAt?: number; roleIds: string[] }): Promise<void> {
    await this.ctx.redis.hset(this.ctx.keys.discordFacts(discordId), 'roleIds', f.roleIds.join(','), 'at', this.ctx.now(), ...(f.guildJoinedAt ? ['guildJoinedAt', f.guildJoinedAt] : []));
  }

  async facts(discordIds: string[]): Promise<Map<string, EligibilityFacts>> {
    const out = new Map<string, EligibilityFacts>();
    for (let i = 0; i < discordIds.length; i += 500) {
      const slice = discordIds.slice(i, i + 500);
      const p = this.ctx.redis.pipeline();
      for (const id of slice) {
        p.hmget(this.ctx.keys.connection(id), 'xCreatedAt', 'followers', 'protected');
        p.hmget(this.ctx.keys.discordFacts(id), 'guildJoinedAt', 'roleIds');
      }
      const res = ((await p.exec()) ?? []).map(([, v]) => v as Array<string | null>);
      slice.forEach((id, j) => {
        const [created, followers, prot] = res[2 * j]!;
        const [joined, roles] = res[2 * j + 1]!;
        out.set(id, {
          ...(created ? { xCreatedAt: int(created) } : {}),
          ...(followers ? { followers: int(followers) } : {}),
          ...(prot ? { protected: prot === '1' } : {}),
          ...(joined ? { guildJoinedAt: int(joined) } : {}),
          ...(roles != null ? { roleIds: roles.split(',').filter(Boolean) } : {}),
        });
      });
    }
    return out;
  }
}
