import type { StoreContext } from './context';

/** An intent older than this proves nothing any more (the bot syncs every few seconds to minutes). */
export const GRANT_INTENT_TTL_MS = 86_400_000;

/**
 * The bot's notes of grants it is about to make, per rule: mark → Discord call → record the grant → clear.
 * If the process dies between the Discord call and the record, the member holds the role without being a
 * managed holder; a fresh intent tells the next sync that the bot made that grant (record it), where a
 * holder without one got the role from a human (never recorded, so never removed). Entries expire after a
 * day, and the whole key a day after its last mark, so a deleted rule leaves nothing behind for long.
 */
export class RoleGrantIntents {
  constructor(private readonly ctx: StoreContext) {}

  async mark(ruleId: string, discordId: string): Promise<void> {
    const key = this.ctx.keys.roleRulePending(ruleId);
    await this.ctx.redis.multi().zadd(key, this.ctx.now(), discordId).pexpire(key, GRANT_INTENT_TTL_MS).exec();
  }

  /** Members with an intent younger than a day. */
  async fresh(ruleId: string): Promise<Set<string>> {
    return new Set(await this.ctx.redis.zrangebyscore(this.ctx.keys.roleRulePending(ruleId), this.ctx.now() - GRANT_INTENT_TTL_MS, '+inf'));
  }

  async clear(ruleId: string, discordId: string): Promise<void> {
    await this.ctx.redis.zrem(this.ctx.keys.roleRulePending(ruleId), discordId);
  }
}
