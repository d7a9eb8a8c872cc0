import { AppError } from '@engagement-tracker/core';
import type { AdminApiConfig } from '../config';
import type { Role } from './principal';

export interface DiscordOAuthConfig {
  apiBaseUrl: string;
  authorizeUrl: string;
  clientId: string;
  clientSecret: string;
  botToken: string;
  guildId: string;
  redirectUri: string;
  adminRoleIds: string[];
  coreRoleIds: string[];
}

export interface DiscordIdentity {
  id: string;
  name: string;
  role: Role | null;
}

const TIMEOUT_MS = 10_000;

/** Discord OAuth2 authorization-code sign-in; the console role comes from the user's guild roles. */
export class DiscordOAuth {
  constructor(private readonly c: DiscordOAuthConfig) {}

  authorizeUrl(state: string): string {
    const u = new URL(this.c.authorizeUrl);
    u.searchParams.set('client_id', this.c.clientId);
    u.searchParams.set('redirect_uri', this.c.redirectUri);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('scope', 'identify');
    u.searchParams.set('state', state);
    u.searchParams.set('prompt', 'none');
    return u.toString();
  }

  /** Exchange the code, read who signed in, and derive their role from the configured guild. */
  async signIn(code: string): Promise<DiscordIdentity> {
    const base = this.c.apiBaseUrl.replace(/\/+$/, '');
    const tokenRes = await this.call(`${base}/v10/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${this.c.clientId}:${this.c.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.c.redirectUri }).toString(),
    });
    if (tokenRes.status === 400 || tokenRes.status === 401) throw new AppError('Discord did not accept the sign-in (the link may have expired). Try signing in again.', 'oauth_rejected', 400);
    const token = (await this.json(tokenRes)) as { access_token?: string };
    if (!token.access_token) throw new AppError('Discord returned no access token.', 'oauth_failed', 502);
    const meRes = await this.call(`${base}/v10/users/@me`, { headers: { authorization: `Bearer ${token.access_token}` } });
    const me = (await this.json(meRes)) as { id: string; username?: string; global_name?: string | null };
    const memberRes = await this.call(`${base}/v10/guilds/${encodeURIComponent(this.c.guildId)}/members/${encodeURIComponent(me.id)}`, {
      headers: { authorization: `Bot ${this.c.botToken}` },
    });
    const name = me.global_name || me.username || me.id;
    if (memberRes.status === 404) return { id: me.id, name, role: null };
    const member = (await this.json(memberRes)) as { roles?: string[]; nick?: string | null };
    return { id: me.id, name: member.nick || name, role: roleFor(member.roles ?? [], this.c.adminRoleIds, this.c.coreRoleIds) };
  }

  private async call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      throw new AppError(`Cannot reach Discord to sign in: ${err instanceof Error ? err.message : String(err)}`, 'discord_unreachable', 502);
    }
  }

  private async json(res: Response): Promise<unknown> {
    if (!res.ok) throw new AppError(`Discord answered HTTP ${res.status} during sign-in.`, 'discord_error', 502);
    return res.json();
  }
}

/** admin wins over core; anyone with neither role gets no access. */
export function roleFor(memberRoles: string[], adminRoleIds: string[], coreRoleIds: string[]): Role | null {
  if (memberRoles.some((r) => adminRoleIds.includes(r))) return 'admin';
  if (memberRoles.some((r) => coreRoleIds.includes(r))) return 'core';
  return null;
}

/** The sign-in client when Discord OAuth is configured (real Discord or the sandbox double). */
export function discordOAuthFromConfig(c: AdminApiConfig): DiscordOAuth | undefined {
  if (!c.DISCORD_CLIENT_SECRET || !c.DISCORD_BOT_TOKEN || !c.DISCORD_APPLICATION_ID || !c.DISCORD_GUILD_ID) return undefined;
  return new DiscordOAuth({
    apiBaseUrl: c.DISCORD_API_BASE_URL,
    authorizeUrl: c.DISCORD_OAUTH_AUTHORIZE_URL,
    clientId: c.DISCORD_APPLICATION_ID,
    clientSecret: c.DISCORD_CLIENT_SECRET,
    botToken: c.DISCORD_BOT_TOKEN,
    guildId: c.DISCORD_GUILD_ID,
    redirectUri: `${c.PUBLIC_BASE_URL.replace(/\/+$/, '')}/auth/discord/callback`,
    adminRoleIds: c.ADMIN_ROLE_IDS,
    coreRoleIds: c.CORE_ROLE_IDS,
  });
}
