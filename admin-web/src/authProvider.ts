import type { AuthProvider } from 'react-admin';
import { HttpError } from 'react-admin';
import { apiJson, DATABASE_UNREACHABLE } from './http';
import { canAccess } from './permissions';
import type { Identity, Role } from './types';

let current: Promise<Identity | null> | null = null;
/** The last identity the API confirmed: kept while the API cannot read sessions (database down). */
let lastKnown: Identity | null = null;

async function fetchMe(): Promise<Identity | null> {
  const res = await fetch('/auth/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (res.status === 401 || res.status === 403) return (lastKnown = null);
  // A database outage is not a sign-out: stay on the page (it says the database is unreachable).
  if (res.status === 503 && lastKnown) return lastKnown;
  if (res.status === 503) throw new HttpError(DATABASE_UNREACHABLE, 503);
  if (!res.ok) throw new HttpError('Cannot reach the admin API to check your session. Try again in a moment.', res.status);
  lastKnown = (await res.json()) as Identity;
  return lastKnown;
}

/** The signed-in user, asked once and shared until sign-in or sign-out changes it. */
export function me(): Promise<Identity | null> {
  current ??= fetchMe().catch((err: unknown) => {
    current = null;
    throw err;
  });
  return current;
}

export type LoginParams = { method: 'sandbox'; role: Role } | { method: 'discord' };

export const authProvider: AuthProvider = {
  async login(params: LoginParams) {
    if (params.method === 'discord') {
      window.location.assign('/auth/discord/login');
      // The browser leaves the page; never resolve so react-admin does not redirect meanwhile.
      return new Promise<void>(() => undefined);
    }
    current = null;
    await apiJson('/auth/sandbox-login', { method: 'POST', body: { role: params.role } });
    current = null;
    return undefined;
  },
  async logout() {
    const had = current;
    current = null;
    try {
      if (had && (await had.catch(() => null))) await apiJson('/auth/logout', { method: 'POST' });
    } catch {
      // The session may already be gone; signing out locally is enough.
    }
    current = Promise.resolve(null);
    lastKnown = null;
    return '/login';
  },
  async checkAuth() {
    if (!(await me())) {
      current = null;
      throw new Error('Please sign in.');
    }
  },
  async checkError(error: { status?: number }) {
    if (error?.status === 401) {
      current = null;
      throw new Error('Your session has ended. Please sign in again.');
    }
    // 403 and others: stay signed in, the page shows the message.
  },
  async getIdentity() {
    const id = await me();
    if (!id) throw new Error('Not signed in');
    return { id: id.id, fullName: id.name, role: id.role };
  },
  async getPermissions() {
    return (await me())?.role;
  },
  async canAccess({ resource, action }) {
    const id = await me();
    return canAccess(id?.role, resource, action);
  },
};
