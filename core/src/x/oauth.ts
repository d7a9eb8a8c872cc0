import type { XTokens } from '../domain';
import type { XClientFactory } from './client';
import { retryRead, transient } from './retry';

/** Scopes the product asks for: read posts and users, read the member's likes, and a refresh token. */
export const X_SCOPES = ['tweet.read', 'users.read', 'like.read', 'offline.access'] as const;

export interface AuthLink {
  /** Where to send the member's browser (TWITTER_OAUTH_AUTHORIZE_URL with the PKCE query). */
  url: string;
  /** Keep server-side with `state` until the callback; never send it to the browser. */
  codeVerifier: string;
  state: string;
}

/** Start an OAuth 2.0 PKCE authorization (S256). */
export function generateAuthLink(x: XClientFactory, redirectUri: string, opts: { state?: string; scopes?: readonly string[] } = {}): AuthLink {
  const link = x.oauth().generateOAuth2AuthLink(redirectUri, { scope: [...(opts.scopes ?? X_SCOPES)], ...(opts.state ? { state: opts.state } : {}) });
  const url = new URL(link.url);
  const target = new URL(x.config.authorizeUrl);
  for (const [k, v] of url.searchParams) target.searchParams.set(k, v);
  return { url: target.toString(), codeVerifier: link.codeVerifier, state: link.state };
}

export interface LinkedXAccount {
  tokens: XTokens;
  user: { id: string; username: string; name: string };
  /** What eligibility rules look at, as X reported it when the member authorized. */
  facts: { xCreatedAt?: number; followers?: number; protected?: boolean };
}

/**
 * The code was exchanged (it is spent: X will not take it again) but `/2/users/me` kept failing (5xx,
 * connection lost): the tokens are here, to keep and ask X again later with `identify`.
 */
export class XIdentityUnavailable extends Error {
  constructor(readonly tokens: XTokens, override readonly cause: unknown) {
    super(`X did not say who authorized (${(cause as Error)?.message ?? String(cause)}); the tokens are kept`);
    this.name = 'XIdentityUnavailable';
  }
}

type RetryOptions = { attempts?: number; backoffMs?: number };

/**
 * Exchange the callback's code (PKCE verifier checked by X) and read who authorized. The code is
 * single use: once exchanged, a failing `/2/users/me` (5xx, timeout) is retried with the tokens just
 * received, never by exchanging the code again (X would refuse it, and the link would be lost); when it
 * still fails, or X answers 429 (its limit, not a refusal), XIdentityUnavailable carries the tokens so
 * the caller can keep them and finish later.
 */
export async function exchangeCode(
  x: XClientFactory, input: { code: string; codeVerifier: string; redirectUri: string }, now = Date.now(),
  retry: RetryOptions = {},
): Promise<LinkedXAccount> {
  const tokens = toTokens(await x.oauth().loginWithOAuth2(input), now);
  try {
    return await identify(x, tokens, retry);
  } catch (err) {
    if (identityLater(err)) throw new XIdentityUnavailable(tokens, err);
    throw err;
  }
}

/** `/2/users/me` may answer later: no answer, a 5xx, or X's rate limit (429). Anything else is a refusal. */
export function identityLater(err: unknown): boolean {
  return transient(err) || (err as { code?: unknown })?.code === 429;
}

/** Who these tokens belong to (`/2/users/me`, retried on 5xx and lost connections), with the eligibility facts. */
export async function identify(x: XClientFactory, tokens: XTokens, retry: RetryOptions = {}): Promise<LinkedXAccount> {
  const client = x.user(tokens.accessToken);
  const me = await retryRead(() => client.v2.me({ 'user.fields': ['created_at', 'protected', 'public_metrics'] }), { retries: retry.attempts !== undefined ? retry.attempts - 1 : 3, baseDelayMs: retry.backoffMs ?? 250 });
  const created = me.data.created_at ? Date.parse(me.data.created_at) : NaN;
  return {
    tokens,
    user: { id: me.data.id, username: me.data.username, name: me.data.name },
    facts: {
      ...(Number.isFinite(created) ? { xCreatedAt: created } : {}),
      ...(me.data.public_metrics?.followers_count !== undefined ? { followers: me.data.public_metrics.followers_count } : {}),
      ...(me.data.protected !== undefined ? { protected: me.data.protected } : {}),
    },
  };
}

/**
 * Use a refresh token (single use at X: store the returned pair at once, atomically, and never
 * refresh the same member twice concurrently).
 */
export async function refreshTokens(x: XClientFactory, refreshToken: string, now = Date.now()): Promise<XTokens> {
  return toTokens(await x.oauth().refreshOAuth2Token(refreshToken), now);
}

function toTokens(r: { accessToken: string; refreshToken?: string; expiresIn: number; scope: string[] }, now: number): XTokens {
  return { accessToken: r.accessToken, ...(r.refreshToken ? { refreshToken: r.refreshToken } : {}), expiresAt: now + r.expiresIn * 1000, scopes: r.scope };
}
