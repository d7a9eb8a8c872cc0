import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openBrowser, suiteBrowser } from './helpers/browser';
import { consoleStack } from './helpers/console-stack';

/** The console's Role rewards page: rules created and edited in the browser, the bot's status shown in plain words. */
const s = consoleStack('webroles');
const ROLE = '123456789012345678';
const REGULAR = '123456789012345677';
const GUILD = '123456789012345600';
const DAY = 86_400_000;

async function signIn(page: Page, role: 'admin' | 'core') {
  await page.goto('/');
  await page.getByRole('button', { name: role === 'admin' ? 'Sandbox admin' : 'Sandbox core member' }).click({ timeout: 60_000 });
  await page.getByTestId('dashboard').waitFor();
}

async function pick(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option }).click();
}

describe('role rewards in the console', () => {
  const b = suiteBrowser(() => s.api.url, 'role-rewards');

  it('an admin creates a points rule, sees the bot’s problem in plain words, and turns it into a season rank rule', async () => {
    const { page } = b;
    const season = await s.stores.seasons.create({ name: 'Winter sprint', startsAt: Date.now() - DAY, endsAt: Date.now() + 10 * DAY }, 'test');
    await signIn(page, 'admin');
    await page.getByRole('menuitem', { name: 'Role rewards' }).click();
    await page.getByText('No role rewards yet').waitFor();
    await b.screenshot('20-role-rewards-empty');

    await page.getByRole('link', { name: 'Create' }).first().click();
    await page.getByLabel('Name').fill('Champion');
    // a role id that is not a snowflake is refused in the form, before any request
    await page.getByLabel('Discord role id').fill('@Champion');
    await page.getByLabel('Minimum all-time points').fill('500');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/A Discord role id: 17 to 20 digits/).waitFor();
    expect(await s.stores.roleRewards.list()).toEqual([]);
    await page.getByLabel('Discord role id').fill(ROLE);
    await page.getByLabel('Remove the role when the condition no longer holds').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await s.stores.roleRewards.list()).length, { timeout: 15_000 }).toBe(1);
    const [rule] = await s.stores.roleRewards.list();
    expect(rule).toMatchObject({ name: 'Champion', roleId: ROLE, condition: { type: 'points', minPoints: 500 }, removeWhenLost: true, enabled: true });
    // the show page: not synced yet
    await page.locator('[data-status="never_synced"]').waitFor();
    await b.screenshot('21-role-reward-show-new');

    // the bot finds its role below the rewarded one, after granting it once
    await s.stores.roleRewards.recordGranted(rule!.id, '100000000000000001', 'bot', '500 all-time points');
    // no message from the bot: the console says it in its own words
    await s.stores.roleRewards.setStatus(rule!.id, { state: 'problem', problem: 'role_above_bot', message: '' });
    await page.getByRole('menuitem', { name: 'Role rewards' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Champion' });
    await expect.poll(() => row.locator('[data-status="problem"]').count()).toBe(1);
    await expect.poll(() => row.textContent()).toContain(`The bot's highest role is below the role ${ROLE}: move the bot's role above it in Server Settings → Roles.`);
    expect(await row.textContent()).toContain('≥ 500 all-time points');
    // the bot's own message names the roles: it is what the console shows
    const said = "The bot's highest role (@Engagement Bot) is not above @Champion: move the bot's role above it in Server Settings → Roles.";
    await s.stores.roleRewards.setStatus(rule!.id, { state: 'problem', problem: 'role_above_bot', message: said });
    await page.reload();
    await expect.poll(() => row.textContent()).toContain(said);
    await b.screenshot('22-role-rewards-problem');
    await row.click();
    await page.getByTestId('role-reward-problem').waitFor();
    expect(await page.getByTestId('role-reward-problem').textContent()).toBe(said);

    // edit: the top 3 of a fixed season; the points field of the old condition is not sent
    await page.getByRole('link', { name: 'Edit' }).click();
    await pick(page, 'Condition', 'Rank on a leaderboard (top K)');
    await page.getByLabel('Top K (1-100)').fill('3');
    await pick(page, 'Season', 'Winter sprint');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await s.stores.roleRewards.get(rule!.id))?.condition, { timeout: 15_000 }).toEqual({ type: 'rank', board: 'season', top: 3, seasonId: season.id });
    await page.getByText('Winter sprint').waitFor();
    await b.screenshot('23-role-reward-show-rank');
    const audit = (await s.stores.audit.list({ filter: { target: `role-reward:${rule!.id}` } })).items.map((a) => a.action);
    expect(audit).toEqual(['role-reward.update', 'role-reward.create']);

    // the bot catches up: the chip says so and the problem is gone
    await s.stores.roleRewards.setStatus(rule!.id, { state: 'ok' });
    await page.reload();
    await page.locator('[data-status="ok"]').waitFor();
    expect(await page.getByTestId('role-reward-problem').count()).toBe(0);
    expect(b.pageErrors).toEqual([]);
  });

  it('once the bot has published the server roles, the role is picked by name and shown by name', async () => {
    const { page } = b;
    await s.stores.roleRewards.setGuildRoles({
      guildId: GUILD,
      roles: [
        { id: GUILD, name: '@everyone', position: 0, managed: false, problem: 'everyone_role' },
        { id: ROLE, name: 'Champion', position: 5, managed: false },
        { id: REGULAR, name: 'Regular', position: 2, managed: false },
        { id: '123456789012345699', name: 'Server Booster', position: 3, managed: true, problem: 'role_managed_by_integration' },
        { id: '123456789012345698', name: 'Moderator', position: 9, managed: false, problem: 'role_above_bot' },
      ],
    });
    await page.getByRole('menuitem', { name: 'Role rewards' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Champion' }).textContent()).toContain('@Champion');
    await page.getByRole('link', { name: 'Create' }).first().click();
    await page.waitForURL(/\/role-rewards\/create$/);
    await page.getByRole('textbox', { name: 'Name' }).fill('Regulars');
    await page.getByRole('combobox', { name: 'Discord role' }).click();
    const options = await page.getByRole('option').allTextContents();
    // roles nobody can give are not offered; one above the bot says what to do
    expect(options.some((o) => o.includes('Server Booster') || o.includes('@everyone'))).toBe(false);
    expect(options.find((o) => o.startsWith('@Moderator'))).toContain("move the bot's role above it");
    await page.getByRole('option', { name: '@Regular', exact: true }).click();
    await page.getByLabel('Minimum all-time points').fill('50');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await s.stores.roleRewards.list()).find((r) => r.name === 'Regulars')?.roleId, { timeout: 15_000 }).toBe(REGULAR);
    await page.getByText(`@Regular (${REGULAR})`).waitFor();
    await b.screenshot('23b-role-reward-picked');
    expect(b.pageErrors).toEqual([]);
  });

  it('a core member reads the rules and their status but cannot change them', async () => {
    const core = await openBrowser({ baseURL: s.api.url });
    try {
      const { page } = core;
      await signIn(page, 'core');
      await page.getByRole('menuitem', { name: 'Role rewards' }).click();
      await page.getByRole('row').filter({ hasText: 'Champion' }).first().waitFor();
      expect(await page.getByRole('link', { name: 'Create' }).count()).toBe(0);
      await page.getByRole('row').filter({ hasText: 'Champion' }).first().click();
      await page.locator('[data-status="ok"]').waitFor();
      expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
      await core.screenshot('24-role-rewards-core');
      const [rule] = await s.stores.roleRewards.list();
      const csrf = (await core.context.cookies()).find((c) => c.name === 'et_csrf')?.value ?? '';
      const put = await page.request.put(`/api/role-rewards/${rule!.id}`, { data: { enabled: false }, headers: { 'x-csrf-token': csrf } });
      expect(put.status()).toBe(403);
      expect((await s.stores.roleRewards.get(rule!.id))!.enabled).toBe(true);
    } finally {
      await core.close();
    }
  });

  it('fits a phone screen: the rule, its condition and its problem in a simple list', async () => {
    const phone = await openBrowser({ baseURL: s.api.url, viewport: { width: 390, height: 844 } });
    try {
      const [rule] = await s.stores.roleRewards.list();
      await s.stores.roleRewards.setStatus(rule!.id, { state: 'problem', problem: 'missing_manage_roles', message: '' });
      await signIn(phone.page, 'admin');
      await phone.page.goto('/#/role-rewards');
      await phone.page.getByText('top 3 of season Winter sprint', { exact: false }).waitFor();
      await phone.page.getByText("The bot lacks the Manage Roles permission: give the bot's role Manage Roles in Server Settings → Roles.").waitFor();
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await phone.screenshot('25-role-rewards-phone');
    } finally {
      await phone.close();
    }
  });
});
