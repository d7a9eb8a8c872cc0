import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { ApiTokenStore } from '../auth/api-token-store';
import { allows, type Permission, type Principal } from '../auth/principal';
import type { SessionStore } from '../auth/session-store';

export const SESSION_COOKIE = 'et_session';
export const CSRF_COOKIE = 'et_csrf';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Who is calling: `Authorization: Bearer et_...` (API token) or the session cookie. Cookie-
 * authenticated writes must echo the CSRF cookie in `x-csrf-token`, and it must be the session's.
 * Sets req.principal or answers 401/403.
 */
export function authenticate(sessions: SessionStore, tokens: ApiTokenStore): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const auth = req.get('authorization');
    if (auth) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      const rec = m ? await tokens.verify(m[1]!) : null;
      if (!rec) return void res.status(401).json({ error: 'unauthenticated', message: 'The API token is invalid, revoked or expired.' });
      req.principal = { id: rec.id, name: rec.name, role: rec.role, via: 'token', scopes: rec.scopes };
      return next();
    }
    const sid = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
    const s = sid ? await sessions.get(sid) : null;
    if (!s || !sid) return void res.status(401).json({ error: 'unauthenticated', message: 'Please sign in.' });
    if (!SAFE.has(req.method)) {
      const header = req.get(CSRF_HEADER) ?? '';
      const cookie = (req.cookies as Record<string, string>)[CSRF_COOKIE] ?? '';
      if (!header || !same(header, cookie) || !same(header, s.csrf)) {
        return void res.status(403).json({ error: 'csrf', message: 'Missing or wrong CSRF token: reload the console and try again.' });
      }
    }
    req.principal = { id: s.userId, name: s.name, role: s.role, via: 'session', sessionId: sid };
    next();
  };
}

/** Why the caller may not do this, or null when the role (and, for tokens, scopes) grant it. */
export function refusal(p: Principal, perm: Permission): string | null {
  if (allows(p, perm)) return null;
  const why = p.via === 'token' && allows({ ...p, via: 'session' }, perm) ? `this token lacks the ${perm} scope` : `the ${p.role} role may not do this`;
  return `Not allowed: ${why}.`;
}

/** 403 unless the caller's role (and, for tokens, scopes) grant every permission. */
export function requirePermission(...perms: Permission[]): RequestHandler {
  return (req, res, next) => {
    const p = req.principal;
    if (!p) return void res.status(401).json({ error: 'unauthenticated', message: 'Please sign in.' });
    for (const perm of perms) {
      const why = refusal(p, perm);
      if (why) return void res.status(403).json({ error: 'forbidden', message: why });
    }
    next();
  };
}
