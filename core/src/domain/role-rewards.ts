/**
 * Role rewards: Discord roles given for points or rank. Admins write rules; the bot grants and removes
 * the roles. Pure rules only: what a rule accepts, who should hold a rule's role, and what to change.
 * Storage lives in the Redis layer (RoleRewardStore), Discord calls in the bot; the input schema (zod) is
 * in role-reward-input.ts, outside the domain index so the console bundle does not carry zod.
 *
 * The bot only ever removes a role it granted itself under a rule (the rule's managed holders), so a
 * role an admin gave by hand is never taken away.
 */

export type RoleRewardCondition =
  | { type: 'points'; minPoints: number }
  /** Top `top` of the season board (a fixed season, or the one running) or of the current ISO week's board. */
  | { type: 'rank'; board: 'season' | 'week'; top: number; seasonId?: string };

export interface RoleRewardRule {
  id: string;
  name: string;
  /** The Discord role (snowflake) the rule grants. */
  roleId: string;
  condition: RoleRewardCondition;
  /** Take the role back (only from members the bot gave it to) once the condition no longer holds. */
  removeWhenLost: boolean;
  enabled: boolean;
  /** ISO 8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

export type RoleRuleProblem =
  | 'role_not_found'
  | 'missing_manage_roles'
  | 'role_above_bot'
  | 'role_managed_by_integration'
  | 'everyone_role'
  | 'rate_limited'
  | 'discord_error';

/** What the bot last found when it applied a rule (the console shows it next to the rule). */
export interface RoleRuleStatus {
  ruleId: string;
  state: 'ok' | 'problem' | 'never_synced';
  problem?: RoleRuleProblem;
  message?: string;
  /** ISO 8601: when the bot last applied (or tried to apply) the rule. */
  lastSyncAt?: string;
  /** Members who hold the role because the bot granted it under this rule. */
  holders: number;
  /** ISO 8601: the last grant or removal under the rule. */
  lastChangeAt?: string;
}

export const ROLE_RULE_PROBLEMS: readonly RoleRuleProblem[] = [
  'role_not_found',
  'missing_manage_roles',
  'role_above_bot',
  'role_managed_by_integration',
  'everyone_role',
  'rate_limited',
  'discord_error',
];

export const ROLE_REWARD_LIMITS = {
  nameMax: 80,
  minPoints: { min: 1, max: 1_000_000_000 },
  top: { min: 1, max: 100 },
  /** Rules per deployment: each one costs the bot a board read per sync. */
  maxRules: 50,
} as const;

/** A Discord role id: a snowflake (digits, no leading zero, at most 20). */
export const ROLE_ID_RE = /^[1-9]\d{16,19}$/;
/** A season id as the season store makes them. */
export const SEASON_ID_RE = /^s[0-9a-z]{4,20}$/;
/** A rule id as the role reward store makes them. */
export const ROLE_RULE_ID_RE = /^r[0-9a-z]{4,20}$/;

/** One role of the guild, as the bot reads it from Discord. */
export interface GuildRoleInfo {
  id: string;
  name: string;
  /** Discord's hierarchy: a higher position outranks a lower one. */
  position: number;
  /** Managed by an integration (a bot's own role, boosters, subscriptions): nobody can give it by hand. */
  managed: boolean;
  /** Why the bot could not give this role now (its own check); absent when it can. */
  problem?: RoleRuleProblem;
}

/** The guild's roles, published by the bot for the console's role picker. */
export interface GuildRoles {
  guildId: string;
  roles: GuildRoleInfo[];
  /** ISO 8601: when the bot read them. */
  at: string;
}

/** One board entry, best first. */
export interface BoardEntry {
  discordId: string;
  points: number;
}

/** What the bot read for one rule. */
export interface RoleRuleFacts {
  /** Points rule: members' all-time points (at least every member at or above minPoints). */
  allTime?: Iterable<BoardEntry>;
  /** Rank rule: the rule's board (season or week), best first, at least `top` entries when there are that many. */
  board?: readonly BoardEntry[];
  /** Members who hold no reward role whatever their points (banned members). */
  excluded?: ReadonlySet<string>;
}

/** The Discord ids that should hold the rule's role now. A disabled rule wants nobody (it changes nothing either: see planRoleChanges). */
export function desiredHolders(rule: Pick<RoleRewardRule, 'condition' | 'enabled'>, facts: RoleRuleFacts): Set<string> {
  const out = new Set<string>();
  if (!rule.enabled) return out;
  const ok = (e: BoardEntry) => e.points > 0 && !facts.excluded?.has(e.discordId);
  const c = rule.condition;
  if (c.type === 'points') {
    for (const e of facts.allTime ?? []) if (e.points >= c.minPoints && ok(e)) out.add(e.discordId);
    return out;
  }
  for (const e of facts.board ?? []) {
    if (out.size >= c.top) break;
    if (ok(e)) out.add(e.discordId);
  }
  return out;
}

export interface RoleChange {
  ruleId: string;
  roleId: string;
  discordId: string;
}

export interface RoleChangePlan {
  add: RoleChange[];
  remove: RoleChange[];
}

/**
 * What the bot should change, given every rule, who each rule wants (`desired`, by rule id) and who the
 * bot holds the role for under each rule (`current`: its managed holders, from the store).
 *
 * - Disabled rules change nothing: no grant, no removal (their holders keep the role).
 * - A grant is planned once per (role, member), for the first enabled rule (by id) that wants the member,
 *   unless a rule of the same role already manages the member, or `holding` says the member already has
 *   the role from someone else (a human gave it: the bot does not take it over, so it never removes it).
 * - A removal is planned only for rules with removeWhenLost, only for members the bot granted under that
 *   rule, and never while another enabled rule of the same role still wants the member.
 *
 * The plan is sorted (rule, then member) so the same inputs give the same calls.
 */
export function planRoleChanges(input: {
  rules: readonly Pick<RoleRewardRule, 'id' | 'roleId' | 'removeWhenLost' | 'enabled'>[];
  desired: ReadonlyMap<string, ReadonlySet<string>>;
  current: ReadonlyMap<string, ReadonlySet<string>>;
  /** Optional: role id -> members who have the role in Discord now (from the guild). */
  holding?: ReadonlyMap<string, ReadonlySet<string>>;
}): RoleChangePlan {
  const rules = [...input.rules].filter((r) => r.enabled).sort((a, b) => cmp(a.id, b.id));
  const empty: ReadonlySet<string> = new Set();
  const byRole = new Map<string, typeof rules>();
  for (const r of rules) byRole.set(r.roleId, [...(byRole.get(r.roleId) ?? []), r]);

  const add: RoleChange[] = [];
  const remove: RoleChange[] = [];
  for (const [roleId, group] of byRole) {
    const managed = new Set<string>();
    for (const r of group) for (const id of input.current.get(r.id) ?? empty) managed.add(id);
    const wanted = new Set<string>();
    for (const r of group) {
      for (const id of [...(input.desired.get(r.id) ?? empty)].sort(cmp)) {
        if (wanted.has(id)) continue;
        wanted.add(id);
        if (managed.has(id)) continue;
        if (input.holding?.get(roleId)?.has(id)) continue;
        add.push({ ruleId: r.id, roleId, discordId: id });
      }
    }
    for (const r of group) {
      if (!r.removeWhenLost) continue;
      for (const id of [...(input.current.get(r.id) ?? empty)].sort(cmp)) {
        if (!wanted.has(id)) remove.push({ ruleId: r.id, roleId, discordId: id });
      }
    }
  }
  const order = (a: RoleChange, b: RoleChange) => cmp(a.ruleId, b.ruleId) || cmp(a.discordId, b.discordId);
  return { add: add.sort(order), remove: remove.sort(order) };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
