import type { Ban } from '../../domain';
import { ValidationError } from '../../errors';
import { json, type StoreContext } from './context';

/**
 * Banned members (hash prefix:bans, discordId -> { reason, actor, at }). A ban stops awards at
 * once (the award script checks it), hides the member from leaderboards, and keeps their history
 * and points; an unban brings them back. Both are audited.
 */
export class BanStore {
  constructor(private readonly ctx: StoreContext) {}

  /** Ban a member; false when they were already banned (nothing changes, nothing audited). */
  async ban(discordId: string, reason: string, actor: string): Promise<boolean> {
    const why = checkReason(reason);
    const now = this.ctx.now();
    const record = JSON.stringify({ reason: why, actor, at: now });
    return (await this.ctx.run('setBan', [this.ctx.keys.bans(), this.ctx.keys.audit()], [discordId, record, actor, now, ''])) === 1;
  }

  /** Lift a ban; false when the member was not banned. */
  async unban(discordId: string, reason: string, actor: string): Promise<boolean> {
    const why = checkReason(reason);
    return (await this.ctx.run('setBan', [this.ctx.keys.bans(), this.ctx.keys.audit()], [discordId, '', actor, this.ctx.now(), why])) === 1;
  }

  async get(discordId: string): Promise<Ban | null> {
    return toBan(discordId, await this.ctx.redis.hget(this.ctx.keys.bans(), discordId));
  }

  async isBanned(discordId: string): Promise<boolean> {
    return (await this.ctx.redis.hexists(this.ctx.keys.bans(), discordId)) === 1;
  }

  /** Every banned member's id (the set is small: it is read whole by the leaderboards and the batch). */
  async ids(): Promise<string[]> {
    return this.ctx.redis.hkeys(this.ctx.keys.bans());
  }

  async list(): Promise<Ban[]> {
    const all = await this.ctx.redis.hgetall(this.ctx.keys.bans());
    return Object.entries(all).flatMap(([id, v]) => toBan(id, v) ?? []).sort((a, b) => b.at - a.at);
  }

  async getMany(ids: string[]): Promise<Array<Ban | null>> {
    if (!ids.length) return [];
    const values = await this.ctx.redis.hmget(this.ctx.keys.bans(), ...ids);
    return ids.map((id, i) => toBan(id, values[i]));
  }
}

function checkReason(reason: string): string {
  const why = reason.trim();
  if (why.length < 3 || why.length > 500) throw new ValidationError('Give a reason (3 to 500 characters).', 'invalid_reason');
  return why;
}

function toBan(discordId: string, raw: string | null | undefined): Ban | null {
  const v = json<{ reason?: string; actor?: string; at?: number } | null>(raw, null);
  return v ? { discordId, reason: v.reason ?? '', actor: v.actor ?? '', at: Number(v.at ?? 0) } : null;
}
