/** Who is calling: a signed-in console user (session) or an automation token. */
export type Role = 'admin' | 'core';

export interface Principal {
  id: string;
  name: string;
  role: Role;
  via: 'session' | 'token';
  /** Token principals only: what the token may do (within its creator's role). */
  scopes?: Permission[];
  sessionId?: string;
}

/**
 * What a route needs. Each is granted to roles below; tokens also need it among their scopes. The
 * role contract (README, "Roles"): core reads everything and moderates posts (status, delete keeping
 * the points); anything that moves points, tiers, links, rules, runs or tokens is admin only.
 */
export const PERMISSIONS = {
  read: ['core', 'admin'],
  'tweets:write': ['core', 'admin'],
  'points:write': ['admin'],
  'members:write': ['admin'],
  'rules:write': ['admin'],
  'batches:run': ['admin'],
  'tokens:manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Scopes an API token can carry (managing tokens is for signed-in admins only). */
export const TOKEN_SCOPES = ['read', 'tweets:write', 'points:write', 'members:write', 'rules:write', 'batches:run'] as const satisfies readonly Permission[];

export function allows(p: Principal, perm: Permission): boolean {
  if (!(PERMISSIONS[perm] as readonly Role[]).includes(p.role)) return false;
  if (p.via === 'token') return (p.scopes ?? []).includes(perm);
  return true;
}

/** The actor string written to the audit log. */
export function actorOf(p: Principal): string {
  return p.via === 'token' ? `token:${p.id}` : `discord:${p.id}`;
}
