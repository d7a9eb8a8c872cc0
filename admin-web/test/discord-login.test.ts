import { randomBytes } from 'node:crypto';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { startDiscordDouble, type DiscordDouble } from '@engagement-tracker/sandbox/discord';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApi, type ApiProcess } from './helpers/api';
import { openBrowser, type Browser } from './helpers/browser';
import { ensureBuilt } from './helpers/build';

/** "Sign in with Discord" end to end: console -> admin API -> Discord double's OAuth2 -> roles. */
describe('signing in with Discord', () => {
  let server: TestRedisServer;
  let discord: DiscordDouble;
  let api: ApiProcess;
  let b: Browser;
  const ids = { admin: '', core: '', nobody: '' };

  beforeAll(async () => {
    const [, srv, d] = await Promise.all([
      ensureBuilt(),
      startRedisServer(),
      startDiscordDouble({
        guilds: [
          {
            name: 'Console Test Guild',
            roles: [{ name: 'Admin' }, { name: 'Core' }],
            channels: [{ name: 'engagement-tracker' }],
            members: [
              { username: 'ada', globalName: 'Ada Admin', roles: ['Admin'] },
              { username: 'cory', globalName: 'Cory Core', roles: ['Core'] },
              { username: 'nora', globalName: 'Nora Nobody' },
            ],
          },
        ],
      }),
    ]);
    server = srv;
    discord = d;
    const guild = discord.state.guild();
    const role = (name: string) => [...guild.roles.values()].find((r) => r.name === name)!.id;
    for (const m of guild.members.values()) {
      if (m.user.username === 'ada') ids.admin = m.user.id;
      if (m.user.username === 'cory') ids.core = m.user.id;
      if (m.user.username === 'nora') ids.nobody = m.user.id;
    }
    api = await startAdminApi({
      REDIS_URL: server.url,
      REDIS_KEY_PREFIX: `discordweb${randomBytes(3).toString('hex')}`,
      SANDBOX: 'false',
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      ...discord.env(),
      DISCORD_GUILD_ID: guild.id,
      ADMIN_ROLE_IDS: role('Admin'),
      CORE_ROLE_IDS: role('Core'),
      BATCH_LAUNCHER: 'local',
    });
    b = await openBrowser({ baseURL: api.url });
  }, 240_000);

  afterAll(async () => {
    await b?.close();
    await api?.stop();
    await Promise.all([server?.stop(), discord?.close()]);
  });

  async function signInAs(userId: string) {
    discord.oauth.defaultLoginAs = userId;
    await b.context.clearCookies();
    await b.page.goto('/#/login');
    await b.page.getByRole('button', { name: 'Sign in with Discord' }).click({ timeout: 60_000 });
  }

  it('offers only Discord sign-in outside sandbox mode, and signs an admin in with the admin role', async () => {
    const { page } = b;
    await page.goto('/#/login');
    await page.getByRole('button', { name: 'Sign in with Discord' }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('button', { name: 'Sandbox admin' }).count()).toBe(0);
    await b.screenshot('11-discord-login');
    await signInAs(ids.admin);
    await page.getByTestId('dashboard').waitFor();
    await expect.poll(() => page.getByTestId('role-chip').textContent()).toBe('admin');
    expect(await page.getByText('Ada Admin').count()).toBeGreaterThan(0);
    expect(await page.getByRole('menuitem', { name: 'Audit log' }).count()).toBe(1);
    // Nothing in Redis yet: the lists say what to do instead of showing empty tables.
    await page.getByRole('menuitem', { name: 'Tweets' }).click();
    await page.getByTestId('empty-state').getByText('/submit').waitFor();
    await b.screenshot('11c-empty-tweets');
    await page.getByRole('menuitem', { name: 'Batch jobs' }).click();
    await page.getByTestId('empty-state').getByText('No batch runs yet').waitFor();
    expect(await page.getByTestId('empty-state').getByTestId('run-now').count()).toBe(1);
    await page.getByRole('menuitem', { name: 'Leaderboard' }).click();
    await page.getByTestId('empty-state').getByText('No points on this board').waitFor();
  });

  it('gives a core member the core role', async () => {
    await signInAs(ids.core);
    await b.page.getByTestId('dashboard').waitFor();
    await expect.poll(() => b.page.getByTestId('role-chip').textContent()).toBe('core');
  });

  it('turns away a member with neither role and says why', async () => {
    const { page } = b;
    await signInAs(ids.nobody);
    await page.getByText('neither the admin nor the core role').waitFor();
    expect(await page.getByTestId('dashboard').count()).toBe(0);
    expect((await page.request.get('/auth/me')).status()).toBe(401);
    await b.screenshot('11b-discord-refused');
  });
});
