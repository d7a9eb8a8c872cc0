import type { Role } from './types';

/**
 * What each role may do in the console. The admin API enforces the same rules; the console only
 * hides what a role cannot do. `core` members (moderators) read everything except the audit log and
 * change nothing; `admin` does everything.
 */
const READ_ALL = ['tweets', 'members', 'leaderboard', 'rules', 'batches'];

export function canAccess(role: Role | undefined, resource: string, action: string): boolean {
  if (!role) return false;
  if (role === 'admin') return true;
  if (resource === 'audit-log') return false;
  if (!READ_ALL.includes(resource)) return false;
  return action === 'list' || action === 'show' || action === 'export';
}
