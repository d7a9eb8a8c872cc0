import type { Role } from './types';

/**
 * What each role may do in the console: the README's role table ("Roles"), which the admin API
 * enforces (admin-api/src/auth/principal.ts). Both roles read everything and moderate posts (status,
 * delete keeping the points); anything that moves points, tiers, links, rules or runs is admin only.
 * The console hides what a role cannot do; the API refuses it anyway.
 */
const RESOURCES = ['tweets', 'members', 'leaderboard', 'rules', 'seasons', 'role-rewards', 'batches', 'audit-log', 'review', 'bans', 'settings', 'api-tokens'];
/** Only signed-in admins manage API tokens (the API refuses tokens and core users). */
const ADMIN_ONLY = ['api-tokens'];
const READ = ['list', 'show', 'export'];

export function canAccess(role: Role | undefined, resource: string, action: string): boolean {
  if (!role || !RESOURCES.includes(resource)) return false;
  if (role === 'admin') return true;
  if (ADMIN_ONLY.includes(resource)) return false;
  if (READ.includes(action)) return true;
  // `revoke` (take back a post's points on delete) is not a core action.
  return resource === 'tweets' && action === 'delete';
}

/** How the sign-in page and the start banner describe each role. */
export const ROLE_SUMMARY: Record<Role, string> = {
  admin: 'everything',
  core: 'reads everything and moderates posts; moves no points',
};
