import type { Role } from './types';

/**
 * What each role may do in the console, mirroring the admin API's permissions
 * (admin-api/src/auth/principal.ts): both roles read everything and may remove tweets; only admins
 * change members, rules and start batch runs. The console hides what a role cannot do; the API
 * enforces it.
 */
const RESOURCES = ['tweets', 'members', 'leaderboard', 'rules', 'batches', 'audit-log'];
const READ = ['list', 'show', 'export'];

export function canAccess(role: Role | undefined, resource: string, action: string): boolean {
  if (!role || !RESOURCES.includes(resource)) return false;
  if (role === 'admin') return true;
  if (READ.includes(action)) return true;
  return resource === 'tweets' && action === 'delete';
}
