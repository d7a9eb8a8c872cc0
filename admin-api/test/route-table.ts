import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { M, T } from './seed';

/** A row of the README's role table: who may do an action, and the token scopes it needs. */
export interface ContractRow {
  action: string;
  core: boolean;
  admin: boolean;
  /** Token scopes needed (all of them); null: no token may do it. */
  scopes: string[] | null;
}

/** The role contract as the README states it (section "Roles"): the single source the tests assert. */
export function roleContract(): Map<string, ContractRow> {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Roles'));
  const rows = new Map<string, ContractRow>();
  for (const line of section.split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 5 || cells[0] === 'action' || cells[0]!.startsWith('---')) continue;
    const [action, , core, admin, scopes] = cells as [string, string, string, string, string];
    const yes = (v: string) => {
      if (v !== 'yes' && v !== 'no') throw new Error(`README role table: "${v}" is neither yes nor no (${action})`);
      return v === 'yes';
    };
    const listed = [...scopes.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    rows.set(action, { action, core: yes(core), admin: yes(admin), scopes: listed.length ? listed : null });
  }
  return rows;
}

/** One /api route as a caller reaches it, and the README action it is. */
export interface RouteCase {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route as its router declares it (`/api/tweets/:id`). */
  pattern: string;
  /** A concrete request to it. */
  path: string;
  action: string;
  body?: unknown;
}

/**
 * Every /api route (some twice, when a parameter changes what they do), against the seeded
 * community (./seed). Writes aim at records that do not exist or change nothing lasting, so each
 * caller meets the same data.
 */
export const ROUTES: RouteCase[] = [
  { method: 'GET', pattern: '/api/tweets', path: '/api/tweets', action: 'read' },
  { method: 'GET', pattern: '/api/tweets/:id', path: `/api/tweets/${T.t2}`, action: 'read' },
  { method: 'PUT', pattern: '/api/tweets/:id', path: `/api/tweets/${T.t2}`, action: 'moderate posts', body: { status: 'active' } },
  { method: 'DELETE', pattern: '/api/tweets/:id', path: '/api/tweets/1999999999999999999', action: 'moderate posts' },
  { method: 'DELETE', pattern: '/api/tweets/:id', path: '/api/tweets/1999999999999999999?revoke=true', action: "take back a post's points" },
  { method: 'GET', pattern: '/api/members', path: '/api/members', action: 'read' },
  { method: 'GET', pattern: '/api/members/:id', path: `/api/members/${M.bob}`, action: 'read' },
  { method: 'GET', pattern: '/api/members/:id/logs', path: `/api/members/${M.bob}/logs`, action: 'read' },
  { method: 'PUT', pattern: '/api/members/:id', path: '/api/members/299999999999999999', action: 'manage members', body: { tier: 2 } },
  { method: 'POST', pattern: '/api/members/:id/adjustments', path: '/api/members/299999999999999999/adjustments', action: 'adjust points', body: { delta: 1, reason: 'role table' } },
  { method: 'DELETE', pattern: '/api/members/:id', path: '/api/members/299999999999999999', action: 'manage members' },
  { method: 'GET', pattern: '/api/leaderboard', path: '/api/leaderboard', action: 'read' },
  { method: 'GET', pattern: '/api/leaderboard/weeks', path: '/api/leaderboard/weeks', action: 'read' },
  { method: 'GET', pattern: '/api/leaderboard/periods', path: '/api/leaderboard/periods?board=daily', action: 'read' },
  { method: 'GET', pattern: '/api/leaderboard/export.csv', path: '/api/leaderboard/export.csv?board=alltime', action: 'read' },
  { method: 'GET', pattern: '/api/leaderboard/:id', path: `/api/leaderboard/${M.alice}`, action: 'read' },
  { method: 'GET', pattern: '/api/rules', path: '/api/rules', action: 'read' },
  { method: 'GET', pattern: '/api/rules/:tier', path: '/api/rules/1', action: 'read' },
  { method: 'PUT', pattern: '/api/rules/:tier', path: '/api/rules/1', action: 'edit rules', body: { like: 1 } },
  { method: 'POST', pattern: '/api/rules/reset', path: '/api/rules/reset', action: 'edit rules', body: {} },
  { method: 'GET', pattern: '/api/seasons', path: '/api/seasons', action: 'read' },
  { method: 'GET', pattern: '/api/seasons/:id', path: '/api/seasons/snope0000', action: 'read' },
  { method: 'POST', pattern: '/api/seasons', path: '/api/seasons', action: 'manage seasons', body: { name: 'role table', startsAt: 946_684_800_000, endsAt: 946_771_200_000 } },
  { method: 'PUT', pattern: '/api/seasons/:id', path: '/api/seasons/snope0000', action: 'manage seasons', body: { name: 'role table' } },
  { method: 'DELETE', pattern: '/api/seasons/:id', path: '/api/seasons/snope0000', action: 'manage seasons' },
  { method: 'GET', pattern: '/api/role-rewards', path: '/api/role-rewards', action: 'read' },
  { method: 'GET', pattern: '/api/role-rewards/:id', path: '/api/role-rewards/rnope0000', action: 'read' },
  { method: 'GET', pattern: '/api/role-rewards/discord-roles', path: '/api/role-rewards/discord-roles', action: 'read' },
  // a fixed season that does not exist: refused after the role check, nothing written
  { method: 'POST', pattern: '/api/role-rewards', path: '/api/role-rewards', action: 'manage role rewards', body: { name: 'role table', roleId: '111111111111111111', condition: { type: 'rank', board: 'season', top: 3, seasonId: 'snope0000' } } },
  { method: 'PUT', pattern: '/api/role-rewards/:id', path: '/api/role-rewards/rnope0000', action: 'manage role rewards', body: { name: 'role table' } },
  { method: 'DELETE', pattern: '/api/role-rewards/:id', path: '/api/role-rewards/rnope0000', action: 'manage role rewards' },
  { method: 'GET', pattern: '/api/batches', path: '/api/batches', action: 'read' },
  { method: 'GET', pattern: '/api/batches/:id', path: '/api/batches/run-nope', action: 'read' },
  { method: 'POST', pattern: '/api/batches', path: '/api/batches', action: 'start runs', body: {} },
  { method: 'GET', pattern: '/api/audit-log', path: '/api/audit-log', action: 'read' },
  { method: 'GET', pattern: '/api/audit-log/:id', path: '/api/audit-log/1-0', action: 'read' },
  { method: 'GET', pattern: '/api/api-tokens', path: '/api/api-tokens', action: 'manage API tokens' },
  { method: 'GET', pattern: '/api/api-tokens/:id', path: '/api/api-tokens/000000000000', action: 'manage API tokens' },
  { method: 'POST', pattern: '/api/api-tokens', path: '/api/api-tokens', action: 'manage API tokens', body: { name: 'role table', scopes: ['read'] } },
  { method: 'DELETE', pattern: '/api/api-tokens/:id', path: '/api/api-tokens/000000000000', action: 'manage API tokens' },
  { method: 'GET', pattern: '/api/overview', path: '/api/overview', action: 'read' },
  { method: 'GET', pattern: '/api/members/:id/held', path: `/api/members/${M.bob}/held`, action: 'read' },
  { method: 'GET', pattern: '/api/bans', path: '/api/bans', action: 'read' },
  { method: 'GET', pattern: '/api/bans/:id', path: '/api/bans/288888888888888888', action: 'read' },
  { method: 'POST', pattern: '/api/bans', path: '/api/bans', action: 'manage members', body: { discordId: '299999999999999999', reason: 'role table' } },
  { method: 'DELETE', pattern: '/api/bans/:id', path: '/api/bans/288888888888888888', action: 'manage members', body: { reason: 'role table' } },
  { method: 'GET', pattern: '/api/review', path: '/api/review', action: 'read' },
  { method: 'GET', pattern: '/api/review/:id', path: '/api/review/1999999999999999999:299999999999999999:like', action: 'read' },
  { method: 'POST', pattern: '/api/review/:id/approve', path: '/api/review/1999999999999999999:299999999999999999:like/approve', action: 'review held engagements', body: {} },
  { method: 'POST', pattern: '/api/review/:id/dismiss', path: '/api/review/1999999999999999999:299999999999999999:like/dismiss', action: 'review held engagements', body: {} },
  { method: 'GET', pattern: '/api/settings/:id', path: '/api/settings/moderation', action: 'read' },
  { method: 'PUT', pattern: '/api/settings/:id', path: '/api/settings/moderation', action: 'edit rules', body: { relinkCooldownHours: 0 } },
];

/** `METHOD /api/...` of every route the routers declare (read from app.ts and routes/*.ts). */
export function declaredRoutes(): string[] {
  const src = join(import.meta.dirname, '..', 'src');
  const app = readFileSync(join(src, 'app.ts'), 'utf8');
  const declared: string[] = [];
  for (const [, mount, fn] of app.matchAll(/api\.use\('([^']+)', (\w+)Router\(/g)) {
    const file = readFileSync(join(src, 'routes', `${mount!.slice(1)}.ts`), 'utf8');
    if (!file.includes(`export function ${fn}Router`)) throw new Error(`routes${mount}.ts does not export ${fn}Router`);
    for (const [, method, path] of file.matchAll(/\br\.(get|post|put|delete)\('([^']*)'/g)) {
      declared.push(`${method!.toUpperCase()} /api${mount}${path === '/' ? '' : path}`);
    }
  }
  return declared;
}

/** Who calls in the role tests: a role (session) or an API token with scopes. */
export type Caller = { kind: 'anonymous' } | { kind: 'session'; role: 'core' | 'admin' } | { kind: 'token'; scopes: string[] };

/** What the contract says this caller gets on this route: allowed, 401 or 403. */
export function expectedVerdict(contract: Map<string, ContractRow>, route: RouteCase, caller: Caller): 'ok' | '401' | '403' {
  const row = contract.get(route.action);
  if (!row) throw new Error(`README role table has no row "${route.action}"`);
  if (caller.kind === 'anonymous') return '401';
  if (caller.kind === 'session') return row[caller.role] ? 'ok' : '403';
  // Tokens are created by admins: the admin column, then the scopes.
  return row.admin && row.scopes !== null && row.scopes.every((s) => caller.scopes.includes(s)) ? 'ok' : '403';
}
