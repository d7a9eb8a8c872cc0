import type { GuildRoleInfo, RoleRuleProblem } from '@engagement-tracker/core';

/** A guild role as the check needs it: core's GuildRoleInfo, before the check adds its problem. */
export type RoleFacts = Omit<GuildRoleInfo, 'problem'>;

/** What the bot knows of itself in the guild, read fresh before each sync. */
export interface GuildFacts {
  guildId: string;
  /** The bot owns the guild (it then bypasses the hierarchy, as on Discord). */
  botIsOwner: boolean;
  /** Manage Roles, or Administrator (which includes it). */
  botCanManageRoles: boolean;
  /** The bot's highest role; the @everyone role when it has none. */
  botHighest: RoleFacts;
  roles: ReadonlyMap<string, RoleFacts>;
}

export type RoleCheck = { ok: true; role: RoleFacts } | { ok: false; problem: RoleRuleProblem; message: string };

/**
 * Discord's role order: the higher position wins; on equal positions the older role (smaller id) is
 * higher, as discord.js's Role.comparePositions has it. Positive when `a` is above `b`.
 */
export function compareRoles(a: Pick<RoleFacts, 'id' | 'position'>, b: Pick<RoleFacts, 'id' | 'position'>): number {
  if (a.position !== b.position) return a.position - b.position;
  const ia = BigInt(a.id);
  const ib = BigInt(b.id);
  return ia === ib ? 0 : ia < ib ? 1 : -1;
}

/**
 * Whether the bot may give and take a rule's role, checked BEFORE any call, in the order an admin can fix
 * them: the role must exist and not be @everyone or managed by an integration; the bot needs Manage Roles
 * and a highest role strictly above the role (unless it owns the guild). Each problem comes with what to do,
 * in plain words, for the console.
 */
export function checkRuleRole(roleId: string, g: GuildFacts): RoleCheck {
  if (roleId === g.guildId) {
    return { ok: false, problem: 'everyone_role', message: '@everyone cannot be a reward: every member already has it. Pick another role for this rule.' };
  }
  const role = g.roles.get(roleId);
  if (!role) {
    return { ok: false, problem: 'role_not_found', message: `The role ${roleId} does not exist in the server (was it deleted?). Pick an existing role for this rule.` };
  }
  if (role.managed) {
    return {
      ok: false,
      problem: 'role_managed_by_integration',
      message: `@${role.name} is managed by an integration (a bot, server boosts or linked roles) and cannot be given to members. Pick a role you created.`,
    };
  }
  if (!g.botCanManageRoles) {
    return { ok: false, problem: 'missing_manage_roles', message: "The bot lacks the Manage Roles permission: give the bot's role Manage Roles in Server Settings → Roles." };
  }
  if (!g.botIsOwner && compareRoles(g.botHighest, role) <= 0) {
    return {
      ok: false,
      problem: 'role_above_bot',
      message: `The bot's highest role (@${g.botHighest.name}) is not above @${role.name}: move the bot's role above it in Server Settings → Roles.`,
    };
  }
  return { ok: true, role };
}
