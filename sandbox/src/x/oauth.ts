import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { json, readBody, type Reply } from './http';
import type { XState } from './state';

const CODE_TTL_MS = 10 * 60_000;

const oauthError = (error: string, description: string, status = 400): Reply => json(status, { error, error_description: description });

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * GET /i/oauth2/authorize — X's consent page. The sandbox approves at once as `?as=<xUserId>`, as
 * the account registered for this `state` (state.approveAs), or as state.authorizeAs; otherwise it
 * shows a small page to pick an account.
 */
export function authorize(s: XState, url: URL): Reply {
  const q = url.searchParams;
  const redirectUri = q.get('redirect_uri');
  const clientId = q.get('client_id');
  const challenge = q.get('code_challenge');
  const method = (q.get('code_challenge_method') ?? 'plain').toLowerCase();
  if (q.get('response_type') !== 'code' || !redirectUri || !clientId || !challenge) {
    return { status: 400, text: 'Something went wrong: response_type=code, client_id, redirect_uri and code_challenge are required.' };
  }
  if (s.clients.size && !s.clients.has(clientId)) return { status: 400, text: 'Something went wrong: unknown client_id.' };
  if (method !== 's256' && method !== 'plain') return { status: 400, text: 'Something went wrong: code_challenge_method must be S256 or plain.' };
  const back = new URL(redirectUri);
  const state = q.get('state');
  if (q.get('deny')) {
    back.searchParams.set('error', 'access_denied');
    if (state) back.searchParams.set('state', state);
    return { status: 302, headers: { location: back.toString() } };
  }
  const as = q.get('as') ?? s.takeApproval(state ?? undefined) ?? s.authorizeAs;
  if (!as) {
    const users = [...s.users.values()].filter((u) => !u.suspended).slice(0, 50);
    const links = users.map((u) => {
      const pick = new URL(url);
      pick.searchParams.set('as', u.id);
      return `<li><a href="${esc(pick.pathname + pick.search)}">@${esc(u.username)}</a></li>`;
    });
    const deny = new URL(url);
    deny.searchParams.set('deny', '1');
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      text: `<!doctype html><title>Authorize app (X sandbox)</title><h1>Sign in to X (sandbox)</h1><p>Authorize <b>${esc(clientId)}</b> for ${esc(q.get('scope') ?? '')} as:</p><ul>${links.join('')}</ul><p><a href="${esc(deny.pathname + deny.search)}">Cancel</a></p>`,
    };
  }
  if (!s.users.has(as)) return { status: 400, text: `Something went wrong: no sandbox account ${as}.` };
  const code = randomBytes(24).toString('base64url');
  s.codes.set(code, {
    userId: as, clientId, redirectUri, challenge, method: method === 's256' ? 'S256' : 'plain',
    scopes: (q.get('scope') ?? '').split(/[ +]/).filter(Boolean), expiresAt: s.now() + CODE_TTL_MS, used: false,
  });
  back.searchParams.set('code', code);
  if (state) back.searchParams.set('state', state);
  return { status: 302, headers: { location: back.toString() } };
}

function clientOf(req: IncomingMessage, body: Record<string, string>): { id?: string; secret?: string } {
  const h = req.headers.authorization;
  if (h?.startsWith('Basic ')) {
    const [id, secret] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  return { id: body.client_id };
}

/** POST /2/oauth2/token — authorization_code (PKCE checked), refresh_token (single use), client_credentials. */
export async function token(s: XState, req: IncomingMessage): Promise<Reply> {
  const body = await readBody(req);
  const client = clientOf(req, body);
  if (!client.id) return oauthError('invalid_client', 'Missing client id.', 401);
  if (s.clients.size) {
    if (!s.clients.has(client.id)) return oauthError('invalid_client', 'Unknown client.', 401);
    const secret = s.clients.get(client.id);
    if (secret !== undefined && secret !== client.secret) return oauthError('unauthorized_client', 'Missing valid authorization header', 401);
  }
  const grant = body.grant_type;
  if (grant === 'authorization_code') {
    const code = body.code ? s.codes.get(body.code) : undefined;
    if (!code || code.used || code.expiresAt < s.now()) return oauthError('invalid_request', 'Value passed for the authorization code was invalid.');
    if (code.clientId !== client.id) return oauthError('invalid_request', 'Value passed for the authorization code was invalid.');
    if (body.redirect_uri !== code.redirectUri) return oauthError('invalid_request', 'Value passed for the redirect uri did not match the uri of the authorization code.');
    const verifier = body.code_verifier ?? '';
    const expected = code.method === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    if (!verifier || expected !== code.challenge) return oauthError('invalid_request', 'Value passed for the code verifier did not match the code challenge.');
    code.used = true;
    const t = s.issueTokens(code.userId, code.scopes, client.id);
    return json(200, tokenBody(s, t));
  }
  if (grant === 'refresh_token') {
    const t = s.rotateRefresh(body.refresh_token ?? '', client.id);
    if ('error' in t) return oauthError('invalid_request', t.error);
    return json(200, tokenBody(s, t));
  }
  if (grant === 'client_credentials') {
    const bearer = `app-${randomBytes(18).toString('base64url')}`;
    s.appTokens.add(bearer);
    return json(200, { token_type: 'bearer', access_token: bearer });
  }
  return oauthError('unsupported_grant_type', `Unsupported grant_type ${grant ?? '(none)'}.`);
}

function tokenBody(s: XState, t: { accessToken: string; refreshToken?: string; scopes: string[] }) {
  return {
    token_type: 'bearer',
    expires_in: Math.round(s.accessTokenTtlMs / 1000),
    access_token: t.accessToken,
    scope: t.scopes.join(' '),
    ...(t.refreshToken ? { refresh_token: t.refreshToken } : {}),
  };
}

/** POST /2/oauth2/revoke */
export async function revoke(s: XState, req: IncomingMessage): Promise<Reply> {
  const body = await readBody(req);
  const tok = body.token ?? '';
  const at = s.accessTokens.get(tok);
  if (at) at.revoked = true;
  const rt = s.refreshTokens.get(tok);
  if (rt) rt.revoked = true;
  return json(200, { revoked: true });
}
