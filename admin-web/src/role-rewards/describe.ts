import type { RoleRewardRecord } from '../types';

/**
 * What a rule's problem means and what to do about it, in plain words: the bot's own message when it sent
 * one (it names the roles), else the console's wording for the problem. `role` is how to call the role
 * (`@Champion`, or its id when the bot has not published the guild's roles).
 */
export function problemText(r: Pick<RoleRewardRecord, 'roleId' | 'status'>, role = r.roleId): string | null {
  if (r.status.state !== 'problem') return null;
  if (r.status.message) return r.status.message;
  return problemWords(r.status.problem, role.startsWith('@') ? role : `the role ${role}`);
}

/** The console's wording of a problem, for a rule's role or for a role in the picker. */
export function problemWords(problem: RoleRewardRecord['status']['problem'], role: string): string {
  switch (problem) {
    case 'role_not_found':
      return `${cap(role)} no longer exists in the server: pick another role or delete this rule.`;
    case 'missing_manage_roles':
      return "The bot lacks the Manage Roles permission: give the bot's role Manage Roles in Server Settings → Roles.";
    case 'role_above_bot':
      return `The bot's highest role is below ${role}: move the bot's role above it in Server Settings → Roles.`;
    case 'role_managed_by_integration':
      return `${cap(role)} belongs to an integration (a bot, a booster or a subscription role) and cannot be given by hand: pick another role.`;
    case 'everyone_role':
      return 'This is the @everyone role, which every member already has: pick another role.';
    case 'rate_limited':
      return 'Discord is rate limiting the bot: it waits and carries on by itself.';
    case 'discord_error':
      return 'Discord refused the last change: the bot tries again at its next sync.';
    default:
      return 'The bot could not apply this rule.';
  }
}

/** "≥ 1,000 all-time points", "top 10 of the running season", "top 5 of the week". */
export function conditionText(c: RoleRewardRecord['condition'], seasonName?: string): string {
  if (c.type === 'points') return `≥ ${c.minPoints.toLocaleString()} all-time points`;
  if (c.board === 'week') return `top ${c.top} of the week`;
  return c.seasonId ? `top ${c.top} of season ${seasonName ?? c.seasonId}` : `top ${c.top} of the running season`;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
