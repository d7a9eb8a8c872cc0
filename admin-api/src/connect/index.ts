import { timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import {
  checkEligibility, ConflictError, ConnectTicketSigner, CONNECT_TICKET_TTL_MS, describeEligibility, exchangeCode, generateAuthLink, X_SCOPES,
  XIdentityUnavailable, type LinkedXAccount, type Logger, type Stores, type XClientFactory,
} from '@engagement-tracker/core';
import { ConnectStore } from './connect-store';
import { HeldFinisher, type HeldRetryOptions } from './held-finisher';
import type { MemberNotifier } from './notify';
import { resultPage } from './page';

export interface ConnectXDeps {
  stores: Stores;
  x: XClientFactory;
  /** The admin API's public URL (PUBLIC_BASE_URL); the callback is `${publicBaseUrl}/connect/x/callback`. */
  publicBaseUrl: string;
  /** TOKEN_ENCRYPTION_KEY: tickets and states are signed with a key derived from it. */
  encryptionKey: string;
  logger: Logger;
  /** Tells the member the outcome in Discord (see createDiscordDmNotifier). */
  notify?: MemberNotifier;
  now?: () => number;
  /** How an authorization whose `/2/users/me` failed is asked about again (server and page). */
  heldRetry?: HeldRetryOptions;
}

/** The end of a linking attempt, as the member's page shows it. */
interface Outcome {
  status: number;
  title: string;
  message: string;
}

const startQuery = z.object({ ticket: z.string().min(10).max(2000) });

/**
 * Binds an authorization to the browser that started it: set at /start, required at /callback. Without
 * it, someone could start linking for their own Discord account and get another person to approve on
 * X (the authorize URL looks like any consent page): that person's X account would be linked to them.
 */
const BROWSER_COOKIE = 'et_connect';

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
const finishQuery = z.object({ state: z.string().min(10).max(2000) });
/** How long the tokens of a spent code whose owner X did not name yet are kept for the member to finish. */
const HELD_TTL_MS = 10 * 60_000;
const callbackQuery = z.object({
  state: z.string().min(10).max(2000),
  code: z.string().min(1).max(2000).optional(),
  error: z.string().max(200).optional(),
});

/**
 * The public routes of X account linking (OAuth 2.0 with PKCE):
 *  GET /connect/x/start?ticket=...      verify the bot's signed, single-use ticket, keep the PKCE
 *                                       verifier in Redis, redirect to X's authorize page;
 *  GET /connect/x/callback?code&state   verify the signed state, take the verifier (once), exchange
 *                                       the code, store the link with encrypted tokens, tell the member.
 */
export function createConnectXRouter(deps: ConnectXDeps): Router & { close(): void } {
  const now = deps.now ?? Date.now;
  const signer = new ConnectTicketSigner(deps.encryptionKey, now);
  const store = new ConnectStore(deps.stores);
  const redirectUri = new URL('/connect/x/callback', deps.publicBaseUrl).toString();
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: redirectUri.startsWith('https:'), path: '/connect/x' };
  const log = deps.logger.child({ component: 'connect-x' });
  const notify = deps.notify ?? (async () => false);
  const router = Router();

  const page = (res: Response, status: number, title: string, message: string, action?: { href: string; label: string }, refreshAfterS?: number) =>
    res.status(status).set({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).type('html').send(resultPage(title, message, status < 400, action, refreshAfterS));
  const outcome = (status: number, title: string, message: string): Outcome => ({ status, title, message });
  const show = (res: Response, o: Outcome) => page(res, o.status, o.title, o.message);

  router.get('/connect/x/start', async (req, res, next) => {
    try {
      const q = startQuery.safeParse(req.query);
      if (!q.success) return page(res, 400, 'Link not valid', 'This link is incomplete. Run /connect in Discord to get a new one.');
      const v = signer.verify(q.data.ticket, 'ticket');
      if (!v.ok) {
        return v.reason === 'expired'
          ? page(res, 410, 'Link expired', 'This link has expired. Run /connect in Discord to get a new one.')
          : page(res, 400, 'Link not valid', 'This link is not valid. Run /connect in Discord to get a new one.');
      }
      const t = v.ticket;
      if (!(await store.spendTicket(t.nonce, t.expiresAt - now()))) {
        return page(res, 409, 'Link already used', 'This link was already used. Run /connect in Discord to get a new one.');
      }
      const state = signer.sign({ kind: 'state', discordId: t.discordId, displayName: t.displayName, ttlMs: CONNECT_TICKET_TTL_MS });
      const link = generateAuthLink(deps.x, redirectUri, { state: state.token, scopes: X_SCOPES });
      await store.savePending(state.ticket.nonce, { discordId: t.discordId, displayName: t.displayName, codeVerifier: link.codeVerifier }, CONNECT_TICKET_TTL_MS);
      log.info({ discordId: t.discordId }, 'X authorization started');
      res.cookie(BROWSER_COOKIE, state.ticket.nonce, { ...cookieOptions, maxAge: CONNECT_TICKET_TTL_MS });
      res.set({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).redirect(302, link.url);
    } catch (err) {
      next(err);
    }
  });

  /** Store the link of an authorization X granted and told us the owner of, and tell the member. */
  const completeLink = async (pending: { discordId: string; displayName: string }, account: LinkedXAccount): Promise<Outcome> => {
    const missing = X_SCOPES.filter((s) => !account.tokens.scopes.includes(s));
    if (missing.length) {
      log.info({ discordId: pending.discordId, missing }, 'X authorization lacks scopes');
      return outcome(400, 'Linking failed', `X granted fewer permissions than needed (missing ${missing.join(', ')}). Run /connect and approve all of them.`);
    }
    try {
      await deps.stores.connections.link(
        { discordId: pending.discordId, displayName: pending.displayName, xUserId: account.user.id, handle: account.user.username, scopes: account.tokens.scopes, tokens: account.tokens },
        `discord:${pending.discordId}`,
      );
    } catch (err) {
      if (err instanceof ConflictError) {
        log.info({ discordId: pending.discordId, xUserId: account.user.id, code: err.code }, 'X account already linked to another member');
        await notify(pending.discordId, `⚠️ ${err.message}`);
        return outcome(409, 'Account already linked', err.message);
      }
      throw err;
    }
    log.info({ discordId: pending.discordId, xUserId: account.user.id, handle: account.user.username }, 'X account linked');
    // Eligibility is checked now too, so the member learns at once what they miss and when they could qualify.
    await deps.stores.moderation.setXFacts(pending.discordId, account.facts);
    const { eligibility } = await deps.stores.moderation.get();
    const facts = (await deps.stores.moderation.facts([pending.discordId])).get(pending.discordId) ?? {};
    const verdict = checkEligibility(eligibility, facts, now());
    if (!verdict.eligible) {
      log.info({ discordId: pending.discordId, unmet: verdict.unmet.map((u) => u.code) }, 'linked member not eligible yet');
      const text = describeEligibility(verdict);
      await notify(pending.discordId, `✅ Your X account @${account.user.username} is now linked.\n⚠️ ${text}`);
      return outcome(200, `Linked @${account.user.username}`, `Your X account is linked to your Discord account. ${text.replace(/\n•/g, ' •')}`);
    }
    await notify(pending.discordId, `✅ Your X account @${account.user.username} is now linked. Likes, retweets and replies on tracked posts will earn you points.`);
    return outcome(200, `Linked @${account.user.username}`, 'Your X account is linked to your Discord account.');
  };

  const finishLink = async (res: Response, pending: { discordId: string; displayName: string }, account: LinkedXAccount) => show(res, await completeLink(pending, account));
  const finisher = new HeldFinisher({ store, x: deps.x, log, finish: completeLink }, deps.heldRetry);
  /** The page of an authorization still held: it asks again by itself (a gap later), or on "Try again". */
  const waiting = (res: Response, state: string, message: string) => {
    const href = `/connect/x/finish?state=${encodeURIComponent(state)}`;
    return page(res, 503, 'Almost linked', `${message} Nothing is lost: this page tries again by itself for 10 minutes (or use Try again).`, { href, label: 'Try again' }, Math.ceil(finisher.gapMs / 1000) + 1);
  };

  /**
   * The code is spent but X did not say whose tokens these are: keep them (encrypted, HELD_TTL_MS) and
   * let the member finish from the same browser (/connect/x/finish), asking X again with these tokens.
   */
  const hold = async (res: Response, nonce: string, state: string, pending: { discordId: string; displayName: string }, err: XIdentityUnavailable) => {
    log.warn({ discordId: pending.discordId, err: (err.cause as Error)?.message }, 'X granted access but /2/users/me failed; tokens kept to finish linking');
    await store.holdTokens(nonce, { discordId: pending.discordId, displayName: pending.displayName }, err.tokens, HELD_TTL_MS);
    finisher.start(nonce, Date.now() + HELD_TTL_MS);
    res.cookie(BROWSER_COOKIE, nonce, { ...cookieOptions, maxAge: HELD_TTL_MS });
    return waiting(res, state, 'X granted access but did not answer who you are yet.');
  };

  /** Nothing held for this page any more: linked meanwhile (by the server's own attempt), or expired. */
  const afterHold = async (res: Response, discordId: string) => {
    const link = await deps.stores.connections.get(discordId);
    if (link?.status === 'linked') {
      res.clearCookie(BROWSER_COOKIE, cookieOptions);
      return page(res, 200, `Linked @${link.handle}`, 'Your X account is linked to your Discord account.');
    }
    return page(res, 409, 'Linking failed', 'This authorization was already used or has expired. Run /connect in Discord to try again.');
  };

  router.get('/connect/x/finish', async (req, res, next) => {
    try {
      const q = finishQuery.safeParse(req.query);
      const v = q.success ? signer.verify(q.data.state, 'state') : null;
      const browser = cookieOf(req, BROWSER_COOKIE);
      if (!v?.ok || !browser || !sameString(browser, v.ticket.nonce)) {
        return page(res, 400, 'Linking failed', 'This page is not valid here. Run /connect in Discord to try again.');
      }
      const held = await store.heldTokens(v.ticket.nonce);
      if (held && held.discordId !== v.ticket.discordId) {
        return page(res, 409, 'Linking failed', 'This authorization was already used or has expired. Run /connect in Discord to try again.');
      }
      // X is asked at most once a gap per authorization, whether by this page or the server's own retries.
      const r = await finisher.attempt(v.ticket.nonce, held);
      if (r.kind === 'waiting') return waiting(res, q.data!.state, 'X still does not answer who you are.');
      if (r.kind === 'gone') return await afterHold(res, v.ticket.discordId);
      res.clearCookie(BROWSER_COOKIE, cookieOptions);
      if (r.kind === 'refused') return page(res, 502, 'Linking failed', 'X did not accept the authorization. Run /connect in Discord to try again.');
      return show(res, r.value);
    } catch (err) {
      next(err);
    }
  });

  router.get('/connect/x/callback', async (req, res, next) => {
    try {
      const q = callbackQuery.safeParse(req.query);
      if (!q.success) return page(res, 400, 'Linking failed', 'The answer from X was incomplete. Run /connect in Discord to try again.');
      const v = signer.verify(q.data.state, 'state');
      if (!v.ok) {
        return page(res, v.reason === 'expired' ? 410 : 400, 'Linking failed', 'This authorization has expired or is not valid. Run /connect in Discord to try again.');
      }
      const browser = cookieOf(req, BROWSER_COOKIE);
      if (!browser || !sameString(browser, v.ticket.nonce)) {
        // The pending authorization stays: the browser that started it can still finish.
        log.warn({ discordId: v.ticket.discordId }, 'X authorization returned to a browser that did not start it');
        return page(res, 403, 'Linking failed', 'Finish linking in the same browser where you opened the link from /connect. If you did not ask to link an X account, close this page: nothing was linked.');
      }
      res.clearCookie(BROWSER_COOKIE, cookieOptions);
      const pending = await store.takePending(v.ticket.nonce);
      if (!pending || pending.discordId !== v.ticket.discordId) {
        return page(res, 409, 'Linking failed', 'This authorization was already used or has expired. Run /connect in Discord to try again.');
      }
      if (q.data.error || !q.data.code) {
        log.info({ discordId: pending.discordId, error: q.data.error }, 'X authorization declined');
        return page(res, 400, 'Linking cancelled', 'X did not grant access, so nothing was linked. Run /connect in Discord to try again.');
      }
      let account;
      try {
        account = await exchangeCode(deps.x, { code: q.data.code, codeVerifier: pending.codeVerifier, redirectUri }, now());
      } catch (err) {
        if (err instanceof XIdentityUnavailable) return hold(res, v.ticket.nonce, q.data.state, pending, err);
        log.warn({ err, discordId: pending.discordId }, 'X code exchange failed');
        return page(res, 502, 'Linking failed', 'X did not accept the authorization. Run /connect in Discord to try again.');
      }
      return await finishLink(res, pending, account);
    } catch (err) {
      next(err);
    }
  });

  return Object.assign(router, { close: () => finisher.close() });
}

export { createDiscordDmNotifier, type MemberNotifier } from './notify';
