import { randomBytes } from 'node:crypto';
import { HttpError, type Req, type Router } from './http';
import type { DoubleState } from './state';

interface Grant {
  userId: string;
  scope: string;
  redirectUri: string;
  expiresAt: number;
}

/**
 * Discord OAuth2 for the admin console sign-in: authorization-code flow that auto-approves as a chosen
 * member (`login_as=<discordId>`, else the double's default login, else the first member).
 */
export class OAuthDouble {
  private readonly codes = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, Grant>();
  private readonly refreshTokens = new Map<string, Grant>();
  /** Who /oauth2/authorize signs in as when no login_as is given. */
  defaultLoginAs: string | undefined;
  /** When set, /oauth2/authorize denies access (redirects with error=access_denied). */
  deny = false;

  constructor(private readonly state: DoubleState) {}

  /** The user an OAuth access token belongs to, or null. */
  userForToken(token: string): string | null {
    const g = this.accessTokens.get(token);
    return g && g.expiresAt > Date.now() ? g.userId : null;
  }

  /** Mint an access token for a member directly (tests that skip the browser step). */
  issueToken(userId: string, scope = 'identify guilds.members.read'): string {
    const token = randomBytes(20).toString('hex');
    this.accessTokens.set(token, { userId, scope, redirectUri: '', expiresAt: Date.now() + 604_800_000 });
    return token;
  }

  routes(router: Router): void {
    router.on('GET', '/oauth2/authorize', (req) => this.authorize(req));
    router.on('POST', '/oauth2/token', (req) => this.token(req));
  }

  private authorize(req: Req) {
    const q = req.query;
    const redirectUri = q.get('redirect_uri');
    if (q.get('client_id') !== this.state.applicationId) throw new HttpError(400, 50035, 'Invalid OAuth2 application (client_id)');
    if (!redirectUri || !/^https?:\/\//.test(redirectUri)) throw new HttpError(400, 50035, 'Invalid OAuth2 redirect_uri');
    if (q.get('response_type') !== 'code') throw new HttpError(400, 50035, 'Unsupported response_type');
    const target = new URL(redirectUri);
    const stateParam = q.get('state');
    if (stateParam) target.searchParams.set('state', stateParam);
    const userId = q.get('login_as') ?? this.defaultLoginAs ?? this.firstMemberId();
    if (this.deny || !userId || !this.state.findUser(userId)) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The resource owner or authorization server denied the request');
      return { redirect: target.toString() };
    }
    const code = randomBytes(15).toString('hex');
    this.codes.set(code, { userId, scope: q.get('scope') ?? 'identify', redirectUri, expiresAt: Date.now() + 600_000 });
    target.searchParams.set('code', code);
    return { redirect: target.toString() };
  }

  private token(req: Req) {
    const b = req.body as Record<string, string | undefined>;
    let clientId = b.client_id;
    let secret = b.client_secret;
    const basic = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''));
    if (basic?.[1]) [clientId, secret] = Buffer.from(basic[1], 'base64').toString().split(':');
    if (clientId !== this.state.applicationId || secret !== this.state.clientSecret) {
      throw new HttpError(401, 0, 'invalid_client', { error: 'invalid_client' });
    }
    let grant: Grant | undefined;
    if (b.grant_type === 'authorization_code') {
      grant = b.code ? this.codes.get(b.code) : undefined;
      if (b.code) this.codes.delete(b.code); // single use
      if (!grant || grant.expiresAt < Date.now() || grant.redirectUri !== b.redirect_uri) {
        throw new HttpError(400, 0, 'invalid_grant', { error: 'invalid_grant', error_description: 'Invalid "code" in request.' });
      }
    } else if (b.grant_type === 'refresh_token') {
      grant = b.refresh_token ? this.refreshTokens.get(b.refresh_token) : undefined;
      if (b.refresh_token) this.refreshTokens.delete(b.refresh_token);
      if (!grant) throw new HttpError(400, 0, 'invalid_grant', { error: 'invalid_grant' });
    } else {
      throw new HttpError(400, 0, 'unsupported_grant_type', { error: 'unsupported_grant_type' });
    }
    const access = randomBytes(20).toString('hex');
    const refresh = randomBytes(20).toString('hex');
    const expiresIn = 604_800;
    this.accessTokens.set(access, { ...grant, expiresAt: Date.now() + expiresIn * 1000 });
    this.refreshTokens.set(refresh, grant);
    return { json: { access_token: access, token_type: 'Bearer', expires_in: expiresIn, refresh_token: refresh, scope: grant.scope } };
  }

  private firstMemberId(): string | undefined {
    for (const g of this.state.guilds.values()) for (const id of g.members.keys()) if (id !== this.state.botUser.id) return id;
    return undefined;
  }
}
