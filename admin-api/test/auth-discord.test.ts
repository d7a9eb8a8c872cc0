import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { startDiscordDouble, type DiscordDouble } from '@engagement-tracker/sandbox/discord';
import { discordOAuthFromConfig } from '../src/auth/discord-oauth';
import { loadAdminApiConfig } from '../src/config';
import { cookiesOf, startTestApp, type TestApp } from './app-harness';

const ADMIN_ROLE = '510000000000000001';
const CORE_ROLE = '510000000000000002';
const U = { admin: '610000000000000001', core: '610000000000000002', both: '610000000000000003', nobody: '610000000000000004' };

let redis: TestRedisServer;
let discord: DiscordDouble;
let app: TestApp;
let env: Record<string, string>;

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  discord = await startDiscordDouble({
    guilds: [
      {
        id: '710000000000000001',
        roles: [{ id: ADMIN_ROLE, name: 'Admin' }, { id: CORE_ROLE, name: 'Core' }, { id: '510000000000000003', name: 'Fan' }],
        members: [
          { id: U.admin, username: 'ada', globalName: 'Ada Admin', roles: [ADMIN_ROLE] },
          { id: U.core, username: 'cory', roles: [CORE_ROLE], nick: 'Cory (mod)' },
          { id: U.both, username: 'bea', roles: [CORE_ROLE, ADMIN_ROLE] },
          { id: U.nobody, username: 'nick', roles: ['510000000000000003'] },
        ],
      },
    ],
  });
  env = {
    SANDBOX: 'true',
    ...discord.env(),
    DISCORD_GUILD_ID: '710000000000000001',
    ADMIN_ROLE_IDS: ADMIN_ROLE,
    CORE_ROLE_IDS: CORE_ROLE,
    PUBLIC_BASE_URL: 'http://127.0.0.1:1',
  };
  const discordOAuth = discordOAuthFromConfig(loadAdminApiConfig(env))!;
  app = await startTestApp(redis, env, { discord: discordOAuth });
});
afterAll(async () => {
  await app?.close();
  await discord?.close();
  await redis?.stop();
});

/** Browser-like walk: /auth/discord/login -> Discord authorize (as `who`) -> callback. */
async function signIn(who: string, tamper?: (callback: URL) => void): Promise<Response> {
  const start = await fetch(`${app.url}/auth/discord/login`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const stateCookie = cookiesOf(start).et_oauth_state!;
  const authorize = new URL(start.headers.get('location')!);
  expect(authorize.origin + authorize.pathname).toBe(discord.authorizeUrl);
  expect(authorize.searchParams.get('state')).toBe(stateCookie);
  authorize.searchParams.set('login_as', who);
  const consent = await fetch(authorize, { redirect: 'manual' });
  const back = new URL(consent.headers.get('location')!);
  const callback = new URL(`${app.url}${back.pathname}${back.search}`);
  tamper?.(callback);
  return fetch(callback, { redirect: 'manual', headers: { cookie: `et_oauth_state=${stateCookie}` } });
}

async function me(res: Response): Promise<unknown> {
  const c = cookiesOf(res);
  if (!c.et_session) return null;
  const r = await fetch(`${app.url}/auth/me`, { headers: { cookie: `et_session=${c.et_session}` } });
  return r.status === 200 ? r.json() : r.status;
}

describe('Discord OAuth2 sign-in against the Discord double', () => {
  it('signs in an admin and a core member with the role from their guild roles (admin wins)', async () => {
    const a = await signIn(U.admin);
    expect(a.status).toBe(302);
    expect(a.headers.get('location')).toBe('/');
    expect(await me(a)).toMatchObject({ id: U.admin, name: 'Ada Admin', role: 'admin' });
    expect(await me(await signIn(U.core))).toMatchObject({ id: U.core, name: 'Cory (mod)', role: 'core' });
    expect(await me(await signIn(U.both))).toMatchObject({ role: 'admin' });
    const audit = await app.stores.audit.list({ filter: { action: 'auth.login' } });
    expect(audit.items.map((e) => e.actor)).toContain(`discord:${U.admin}`);
  });

  it('refuses members without an admin or core role, and strangers', async () => {
    const res = await signIn(U.nobody);
    expect(res.headers.get('location')).toBe('/#/login?error=not_allowed');
    expect(cookiesOf(res).et_session).toBeUndefined();
    discord.members.setRoles(U.core, []);
    expect((await signIn(U.core)).headers.get('location')).toBe('/#/login?error=not_allowed');
    discord.members.setRoles(U.core, [CORE_ROLE]);
  });

  it('rejects a forged state, and a replayed callback', async () => {
    const forged = await signIn(U.admin, (u) => u.searchParams.set('state', 'forged'));
    expect(forged.headers.get('location')).toBe('/#/login?error=bad_state');
    let replay: URL | undefined;
    const first = await signIn(U.admin, (u) => (replay = new URL(u)));
    expect(first.headers.get('location')).toBe('/');
    const state = replay!.searchParams.get('state')!;
    const again = await fetch(replay!, { redirect: 'manual', headers: { cookie: `et_oauth_state=${state}` } });
    expect(again.headers.get('location')).toBe('/#/login?error=bad_state');
    expect(cookiesOf(again).et_session).toBeUndefined();
  });

  it('offers the sandbox sign-in only in sandbox mode without real Discord credentials', () => {
    expect(app.config.sandboxLogin).toBe(true); // the double's credentials are not real ones
    const real = { ...env, DISCORD_API_BASE_URL: 'https://discord.com/api', DISCORD_OAUTH_AUTHORIZE_URL: 'https://discord.com/oauth2/authorize', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) };
    expect(loadAdminApiConfig(real).sandboxLogin).toBe(false);
    expect(loadAdminApiConfig({ ...real, SANDBOX: '', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) }).sandbox).toBe(false);
    expect(() => loadAdminApiConfig({ SANDBOX: 'false' })).toThrow(/TOKEN_ENCRYPTION_KEY/);
    expect(loadAdminApiConfig({})).toMatchObject({ sandbox: true, sandboxLogin: true, secureCookies: false });
    expect(loadAdminApiConfig({ PUBLIC_BASE_URL: 'https://et.example.com' }).secureCookies).toBe(true);
    expect(loadAdminApiConfig({ COOKIE_SECURE: 'true' }).secureCookies).toBe(true);
  });

  it('never offers the sandbox sign-in when real X credentials are set (real member tokens would be at stake)', () => {
    const realX = { TWITTER_CLIENT_ID: 'cid', TWITTER_CLIENT_SECRET: 'real-secret', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) };
    expect(loadAdminApiConfig({ ...env, ...realX }).sandboxLogin).toBe(false);
    expect(loadAdminApiConfig({ ...env, TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32), TWITTER_BEARER_TOKEN: 'real-bearer', TWITTER_API_BASE_URL: 'https://api.twitter.com' }).sandboxLogin).toBe(false);
    // Even in sandbox mode, real credentials never run with the public sandbox encryption key.
    expect(() => loadAdminApiConfig({ ...env, ...realX, TOKEN_ENCRYPTION_KEY: '' })).toThrow(/TOKEN_ENCRYPTION_KEY is required with real/);
    // Without SANDBOX, real X credentials alone turn sandbox mode off, so the missing settings are reported.
    expect(() => loadAdminApiConfig({ ...realX, TOKEN_ENCRYPTION_KEY: '' })).toThrow(/TOKEN_ENCRYPTION_KEY is required outside sandbox mode/);
    // Problems with the X settings are listed with the others, in one message; X secrets stay out of the config.
    expect(() => loadAdminApiConfig({ TWITTER_API_BASE_URL: 'nope', ADMIN_API_PORT: 'x' })).toThrow(/ADMIN_API_PORT[\s\S]*TWITTER_API_BASE_URL|TWITTER_API_BASE_URL[\s\S]*ADMIN_API_PORT/);
    expect(JSON.stringify(loadAdminApiConfig({ ...env, TWITTER_CLIENT_SECRET: 'x-secret', TWITTER_API_BASE_URL: 'http://127.0.0.1:9' }))).not.toContain('x-secret');
    // Credentials for a non-loopback host (a proxy in front of Discord) count as real too.
    expect(loadAdminApiConfig({ ...env, DISCORD_API_BASE_URL: 'https://discord-proxy.internal/api', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) }).sandboxLogin).toBe(false);
    // The X double on a local URL is not a real credential.
    expect(loadAdminApiConfig({ ...env, ...realX, TWITTER_API_BASE_URL: 'http://127.0.0.1:9' }).sandboxLogin).toBe(true);
  });

  it('answers the sandbox sign-in with 404 when it is off', async () => {
    const real = await startTestApp(redis, { ...env, DISCORD_API_BASE_URL: 'https://discord.com/api', TOKEN_ENCRYPTION_KEY: 'ab'.repeat(32) });
    try {
      const res = await fetch(`${real.url}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"admin"}' });
      expect(res.status).toBe(404);
      expect(cookiesOf(res).et_session).toBeUndefined();
    } finally {
      await real.close();
    }
  });
});
