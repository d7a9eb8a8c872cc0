import { randomBytes } from 'node:crypto';
import { ROLE_REWARD_LIMITS, type GuildRoles, type RoleRewardRule, type RoleRuleProblem, type RoleRuleStatus } from '../../domain';
import { roleRewardInputSchema, type RoleRewardInput } from '../../domain/role-reward-input';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { ScriptErrorCode } from '../error-codes';
import { withLease, type Lease } from '../lease';
import { json, type StoreContext } from './context';
import { SeasonStore } from './season-store';

/** What the bot reports after applying a rule (holders and lastChangeAt come from the store itself). */
export type RoleRuleReport = { state: 'ok' } | { state: 'problem'; problem: RoleRuleProblem; message: string };

const MESSAGE_MAX = 500;
/** Discord allows 250 roles per guild. */
const GUILD_ROLES_MAX = 250;

/**
 * Role reward rules (prefix:rolerule:{id} hashes, indexed by creation in prefix:rolerules), the members
 * the bot granted each rule's role to (prefix:rolerule:{id}:holders: the only members it may take the
 * role from) and what the bot last found applying each rule (prefix:rolerule:{id}:status). Rule writes,
 * grants and removals are each one script with their audit entry; a write that changes nothing is
 * neither saved nor audited.
 */
export class RoleRewardStore {
  constructor(private readonly ctx: StoreContext) {}

  /** One role sync at a time across bot replicas: `fn` runs under a lease of `ttlMs`, renewed while it runs. */
  syncLease<T>(ttlMs: number, fn: (lease: Lease) => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    return withLease(this.ctx, this.ctx.keys.roleSyncLease(), ttlMs, fn);
  }

  async list(): Promise<RoleRewardRule[]> {
    const ids = await this.ctx.redis.zrange(this.ctx.keys.roleRules(), '0', '-1');
    if (!ids.length) return [];
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.hgetall(this.ctx.keys.roleRule(id));
    const rows = (await p.exec()) ?? [];
    return rows.map(([, raw]) => toRule(raw as Record<string, string>)).filter((r): r is RoleRewardRule => r !== null);
  }

  async get(id: string): Promise<RoleRewardRule | null> {
    return toRule(await this.ctx.redis.hgetall(this.ctx.keys.roleRule(id)));
  }

  async create(input: unknown, actor: string): Promise<RoleRewardRule> {
    const clean = await this.check(input);
    const now = this.ctx.now();
    const id = `r${now.toString(36)}${randomBytes(3).toString('hex')}`;
    const at = new Date(now).toISOString();
    await this.write(id, null, clean, { createdAt: at, updatedAt: at }, actor);
    return (await this.get(id))!;
  }

  /** Change a rule: `patch` is merged over the rule as it is (react-admin sends the whole record). */
  async update(id: string, patch: Partial<RoleRewardInput>, actor: string): Promise<{ rule: RoleRewardRule; changed: boolean }> {
    const before = await this.get(id);
    if (!before) throw new NotFoundError(`No role reward rule ${id}`);
    const after = await this.check({ ...inputOf(before), ...definedOnly(patch) });
    if (same(inputOf(before), after)) return { rule: before, changed: false };
    if (after.roleId !== before.roleId && (await this.ctx.redis.scard(this.ctx.keys.roleRuleHolders(id))) > 0) {
      throw new ConflictError('The bot already gave this role to members under this rule: make a new rule for the other role.', 'role_reward_has_holders');
    }
    await this.write(id, inputOf(before), after, { updatedAt: new Date(this.ctx.now()).toISOString() }, actor);
    return { rule: (await this.get(id))!, changed: true };
  }

  /** Delete a rule (with its holders, status and pending grant notes). Members keep the role; the bot stops managing it. Returns how many members it held the role for. */
  async delete(id: string, actor: string): Promise<number> {
    const before = await this.get(id);
    if (!before) throw new NotFoundError(`No role reward rule ${id}`);
    const k = this.ctx.keys;
    const r = await this.ctx.run('deleteRoleRule', [k.roleRules(), k.roleRuleRoles(), k.roleRule(id), k.roleRuleHolders(id), k.roleRuleStatus(id), k.audit(), k.roleRulePending(id)],
      [id, actor, JSON.stringify(inputOf(before)), this.ctx.now()]);
    if (Array.isArray(r)) throw new NotFoundError(`No role reward rule ${id}`);
    return Number(r);
  }

  /** Members the bot granted the rule's role to (the only ones it may remove it from). */
  async holders(ruleId: string): Promise<string[]> {
    return (await this.ctx.redis.smembers(this.ctx.keys.roleRuleHolders(ruleId))).sort();
  }

  /** Record a grant the bot made, with its audit entry. False when it was already recorded. */
  async recordGranted(ruleId: string, discordId: string, actor = 'bot', reason = ''): Promise<boolean> {
    return this.recordChange('grant', ruleId, discordId, actor, reason);
  }

  /** Record a removal the bot made, with its audit entry. False when the bot held no grant for the member. */
  async recordRemoved(ruleId: string, discordId: string, actor = 'bot', reason = ''): Promise<boolean> {
    return this.recordChange('remove', ruleId, discordId, actor, reason);
  }

  /** What the bot found applying the rule now (a rule deleted meanwhile is left alone). */
  async setStatus(ruleId: string, report: RoleRuleReport): Promise<void> {
    const k = this.ctx.keys;
    const fields = report.state === 'ok' ? {} : { problem: report.problem, message: report.message.slice(0, MESSAGE_MAX) };
    await this.ctx.run('setRoleRuleStatus', [k.roleRule(ruleId), k.roleRuleStatus(ruleId)],
      [JSON.stringify({ state: report.state, lastSyncAt: new Date(this.ctx.now()).toISOString(), ...fields })]);
  }

  async status(ruleId: string): Promise<RoleRuleStatus> {
    return (await this.statusesOf([ruleId]))[0]!;
  }

  /** The status of every rule, in the order of list(). */
  async statuses(): Promise<RoleRuleStatus[]> {
    return this.statusesOf(await this.ctx.redis.zrange(this.ctx.keys.roleRules(), '0', '-1'));
  }

  async statusesOf(ids: string[]): Promise<RoleRuleStatus[]> {
    if (!ids.length) return [];
    const p = this.ctx.redis.pipeline();
    for (const id of ids) p.hgetall(this.ctx.keys.roleRuleStatus(id)).scard(this.ctx.keys.roleRuleHolders(id));
    const rows = (await p.exec()) ?? [];
    return ids.map((ruleId, i) => toStatus(ruleId, rows[2 * i]?.[1] as Record<string, string> | undefined, Number(rows[2 * i + 1]?.[1] ?? 0)));
  }

  /** Publish the guild's roles as the bot just read them (the console's role picker). Not audited: nothing changes. */
  async setGuildRoles(g: Omit<GuildRoles, 'at'>): Promise<void> {
    const roles = g.roles.slice(0, GUILD_ROLES_MAX).map((r) => ({ id: r.id, name: r.name.slice(0, 100), position: r.position, managed: r.managed, ...(r.problem ? { problem: r.problem } : {}) }));
    const doc: GuildRoles = { guildId: g.guildId, roles, at: new Date(this.ctx.now()).toISOString() };
    await this.ctx.redis.set(this.ctx.keys.discordRoles(), JSON.stringify(doc));
  }

  /** The guild's roles as the bot last published them, or null before it has. */
  async guildRoles(): Promise<GuildRoles | null> {
    return json<GuildRoles | null>(await this.ctx.redis.get(this.ctx.keys.discordRoles()), null);
  }

  private async recordChange(op: 'grant' | 'remove', ruleId: string, discordId: string, actor: string, reason: string): Promise<boolean> {
    const k = this.ctx.keys;
    const now = this.ctx.now();
    const r = await this.ctx.run('recordRoleChange', [k.roleRule(ruleId), k.roleRuleHolders(ruleId), k.roleRuleStatus(ruleId), k.audit()],
      [op, ruleId, discordId, actor, reason.slice(0, MESSAGE_MAX), now, new Date(now).toISOString()]);
    if (Array.isArray(r)) throw new NotFoundError(`No role reward rule ${ruleId}`);
    return r === 1;
  }

  /** Parse and validate an input; a fixed season must exist. */
  private async check(input: unknown): Promise<RoleRewardInput> {
    const r = roleRewardInputSchema.safeParse(input);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new ValidationError(`${issue.path.join('.') || 'rule'}: ${issue.message}`, 'invalid');
    }
    const c = r.data.condition;
    if (c.type === 'rank' && c.seasonId !== undefined && !(await new SeasonStore(this.ctx).get(c.seasonId))) {
      throw new ValidationError(`condition.seasonId: no season ${c.seasonId}`, 'invalid');
    }
    return r.data;
  }

  private async write(id: string, before: RoleRewardInput | null, after: RoleRewardInput, dates: { createdAt?: string; updatedAt: string }, actor: string): Promise<void> {
    const k = this.ctx.keys;
    const fields = {
      id,
      name: after.name,
      roleId: after.roleId,
      condition: JSON.stringify(after.condition),
      removeWhenLost: after.removeWhenLost ? '1' : '0',
      enabled: after.enabled ? '1' : '0',
      ...dates,
    };
    const r = await this.ctx.run('saveRoleRule', [k.roleRules(), k.roleRuleRoles(), k.roleRule(id), k.audit()], [
      id,
      `${after.roleId}|${after.removeWhenLost ? 1 : 0}`,
      JSON.stringify(fields),
      actor,
      before ? 'role-reward.update' : 'role-reward.create',
      before ? JSON.stringify(before) : '',
      JSON.stringify(after),
      this.ctx.now(),
      ROLE_REWARD_LIMITS.maxRules,
    ]);
    if (!Array.isArray(r)) return;
    if (r[0] === ScriptErrorCode.RoleRuleClash) {
      const other = await this.get(String(r[1]));
      throw new ConflictError(
        `Rule "${other?.name ?? r[1]}" rewards the same role and ${after.removeWhenLost ? 'keeps it' : 'removes it'} when the condition is lost: rules of one role must agree on that.`,
        'role_reward_clash',
      );
    }
    if (r[0] === ScriptErrorCode.TooMany) throw new ConflictError(`At most ${ROLE_REWARD_LIMITS.maxRules} role reward rules.`, 'too_many_rules');
    throw new NotFoundError(`No role reward rule ${id}`);
  }
}

function inputOf(r: RoleRewardRule): RoleRewardInput {
  return { name: r.name, roleId: r.roleId, condition: r.condition, removeWhenLost: r.removeWhenLost, enabled: r.enabled };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Same rule input, whatever the key order of the condition. */
function same(a: RoleRewardInput, b: RoleRewardInput): boolean {
  const canon = (x: RoleRewardInput) => JSON.stringify({ ...x, condition: Object.fromEntries(Object.entries(x.condition).sort(([p], [q]) => (p < q ? -1 : 1))) });
  return canon(a) === canon(b);
}

function toRule(raw: Record<string, string> | null | undefined): RoleRewardRule | null {
  if (!raw?.id) return null;
  return {
    id: raw.id,
    name: raw.name ?? '',
    roleId: raw.roleId ?? '',
    condition: json<RoleRewardRule['condition']>(raw.condition, { type: 'points', minPoints: 1 }),
    removeWhenLost: raw.removeWhenLost === '1',
    enabled: raw.enabled === '1',
    createdAt: raw.createdAt ?? '',
    updatedAt: raw.updatedAt ?? '',
  };
}

function toStatus(ruleId: string, raw: Record<string, string> | undefined, holders: number): RoleRuleStatus {
  const s: RoleRuleStatus = { ruleId, state: 'never_synced', holders };
  if (raw?.state === 'ok' || raw?.state === 'problem') s.state = raw.state;
  if (raw?.problem) s.problem = raw.problem as RoleRuleProblem;
  if (raw?.message) s.message = raw.message;
  if (raw?.lastSyncAt) s.lastSyncAt = raw.lastSyncAt;
  if (raw?.lastChangeAt) s.lastChangeAt = raw.lastChangeAt;
  return s;
}
