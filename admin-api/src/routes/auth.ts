import { randomBytes } from 'node:crypto';
import { Router, type CookieOptions, type Response } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import type { Role } from '../auth/principal';
import type { Session } from '../auth/session-store';
import { CSRF_COOKIE, SESSION_COOKIE } from '../middleware/authenticate';

const STATE_COOKIE = 'et_oauth_state';

/** Fixed identities of the sandbox sign-in (sandbox mode only). */
export const SANDBOX_USERS: Record<Role, { userId: string; name: string }> = {
  admin: { userId: '100000000000000900', name: 'Sandbox Admin' },
  core: { userId: '100000000000000901', name: 'Sandbox Core' },
};

/** Sign-in (Discord OAuth2, or the sandbox shortcut), sign-out, and who am I. */
export function authRouter(deps: AppDeps): Router {
  const { config, sessions, stores, log } = deps;
  const r = Router();
  const base: CookieOptions = { secure: config.secureCookies, sameSite: 'lax', path: '/' };
  const maxAge = config.SESSION_MAX_HOURS * 3_600_000;

  const startSession = async (res: Response, user: { userId: string; name: string; role: Role }, via: string) => {
    const { id, session } = await sessions.create(user);
    setCookies(res, id, session);
    await stores.audit.record({ actor: `discord:${user.userId}`, action: 'auth.login', target: `discord:${user.userId}`, after: { role: user.role, via } });
    log.info({ userId: user.userId, role: user.role, via }, 'signed in');
  };
  const setCookies = (res: Response, id: string, session: Session) => {
    res.cookie(SESSION_COOKIE, id, { ...base, httpOnly: true, maxAge });
    res.cookie(CSRF_COOKIE, session.csrf, { ...base, httpOnly: false, maxAge });
  };

  r.get('/discord/login', async (_req, res) => {
    if (!deps.discord) return void res.status(503).json({ error: 'not_configured', message: 'Discord sign-in is not configured (DISCORD_CLIENT_SECRET, DISCORD_BOT_TOKEN, DISCORD_GUILD_ID).' });
    const state = randomBytes(24).toString('base64url');
    await stores.oauthStates.save(state, 600_000);
    res.cookie(STATE_COOKIE, state, { ...base, httpOnly: true, maxAge: 600_000 });
    res.redirect(302, deps.discord.authorizeUrl(state));
  });

  r.get('/discord/callback', async (req, res) => {
    if (!deps.discord) return void res.status(503).json({ error: 'not_configured', message: 'Discord sign-in is not configured.' });
    const q = z.object({ code: z.string().max(200).optional(), state: z.string().max(100).optional(), error: z.string().max(100).optional() }).parse(req.query);
    const cookieState = (req.cookies as Record<string, string>)[STATE_COOKIE];
    res.clearCookie(STATE_COOKIE, base);
    const fail = (reason: string) => {
      res.locals.signInFailure = reason;
      res.redirect(302, `/#/login?error=${encodeURIComponent(reason)}`);
    };
    if (q.error) return void fail(q.error === 'access_denied' ? 'denied' : 'discord_error');
    const known = q.state ? await stores.oauthStates.take(q.state) : false;
    if (!q.code || !q.state || !known || q.state !== cookieState) return void fail('bad_state');
    const who = await deps.discord.signIn(q.code);
    if (!who.role) {
      await stores.audit.record({ actor: `discord:${who.id}`, action: 'auth.refused', target: `discord:${who.id}`, after: { reason: 'no admin or core role' } });
      log.warn({ userId: who.id }, 'sign-in refused: no admin or core role');
      return void fail('not_allowed');
    }
    await startSession(res, { userId: who.id, name: who.name, role: who.role }, 'discord');
    res.redirect(302, '/');
  });

  r.post('/sandbox-login', async (req, res) => {
    if (!config.sandboxLogin) return void res.status(404).json({ error: 'not_found', message: 'Sandbox sign-in exists only in sandbox mode.' });
    const { role } = z.object({ role: z.enum(['admin', 'core']) }).parse(req.body ?? {});
    const user = { ...SANDBOX_USERS[role], role };
    await startSession(res, user, 'sandbox');
    res.json({ id: user.userId, name: user.name, role });
  });

  r.post('/logout', async (req, res) => {
    const sid = (req.cookies as Record<string, string>)[SESSION_COOKIE];
    if (sid) await sessions.destroy(sid);
    res.clearCookie(SESSION_COOKIE, base);
    res.clearCookie(CSRF_COOKIE, base);
    res.status(204).end();
  });

  r.get('/me', async (req, res) => {
    const sid = (req.cookies as Record<string, string>)[SESSION_COOKIE];
    const s = sid ? await sessions.get(sid) : null;
    if (!s || !sid) return void res.status(401).json({ error: 'unauthenticated', message: 'Please sign in.' });
    if ((req.cookies as Record<string, string>)[CSRF_COOKIE] !== s.csrf) res.cookie(CSRF_COOKIE, s.csrf, { ...base, httpOnly: false, maxAge });
    res.json({ id: s.userId, name: s.name, role: s.role, sandbox: config.sandbox });
  });

  r.get('/config', (_req, res) => {
    res.json({ discord: Boolean(deps.discord), sandboxLogin: config.sandboxLogin });
  });

  return r;
}
