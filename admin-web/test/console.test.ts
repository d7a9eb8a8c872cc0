import { randomBytes } from 'node:crypto';
import { createRedis, createStores, SANDBOX_ENCRYPTION_KEY, type RedisClient, type Stores } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminApi, type ApiProcess } from './helpers/api';
import { openBrowser, suiteBrowser } from './helpers/browser';
import { ensureBuilt } from './helpers/build';
import { seedCommunity, type Seeded } from './helpers/seed';

let server: TestRedisServer;
let redis: RedisClient;
let stores: Stores;
let api: ApiProcess;
let x: XDouble;
let seeded: Seeded;
const prefix = `webtest${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  const [, srv, xd] = await Promise.all([ensureBuilt(), startRedisServer(), startXDouble({ appTokens: ['web-test-bearer'] })]);
  server = srv;
  x = xd;
  redis = createRedis(server.url);
  stores = createStores(redis, { prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY });
  seeded = await seedCommunity(stores, x);
  api = await startAdminApi({
    REDIS_URL: server.url,
    REDIS_KEY_PREFIX: prefix,
    TOKEN_ENCRYPTION_KEY: SANDBOX_ENCRYPTION_KEY,
    // Manual runs start the real batch program as a child process, against the X double.
    BATCH_LAUNCHER: 'local',
    TWITTER_API_BASE_URL: x.url,
    TWITTER_BEARER_TOKEN: 'web-test-bearer',
    TWITTER_CLIENT_ID: 'sandbox-client',
  });
}, 240_000);

afterAll(async () => {
  await api?.stop();
  redis?.disconnect();
  await Promise.all([server?.stop(), x?.close()]);
});

async function signIn(page: Page, role: 'admin' | 'core') {
  await page.goto('/');
  // The first load of the console (about 1 MB of JS) can be slow on a busy machine.
  await page.getByRole('button', { name: role === 'admin' ? 'Sandbox admin' : 'Sandbox core member' }).click({ timeout: 60_000 });
  await page.getByTestId('dashboard').waitFor();
  await expect.poll(() => page.getByTestId('role-chip').textContent()).toBe(role);
}

async function openTab(page: Page, label: string) {
  await page.getByRole('menuitem', { name: label }).click();
}

const row = (page: Page, text: string | RegExp) => page.getByRole('row').filter({ hasText: text });

describe('admin console as an admin', () => {
  const b = suiteBrowser(() => api.url, 'admin');

  it('shows the sign-in page, then the overview with the real numbers', async () => {
    const { page } = b;
    await page.goto('/');
    await page.getByRole('button', { name: 'Sandbox admin' }).waitFor({ timeout: 60_000 });
    // Sandbox mode without Discord credentials: the API offers no Discord sign-in, so neither does the page.
    expect(await page.getByRole('button', { name: 'Sign in with Discord' }).count()).toBe(0);
    await b.screenshot('00-login');
    await signIn(page, 'admin');
    const active = await stores.tweets.count('active');
    const linked = await stores.connections.count();
    await expect.poll(() => page.getByTestId('card-active-tweets-value').textContent()).toBe(String(active));
    expect(await page.getByTestId('card-linked-members-value').textContent()).toBe(String(linked));
    expect(await page.getByTestId('card-top-score-value').textContent()).toBe(String(seeded.topPoints));
    expect(await page.getByTestId('card-last-run').textContent()).toContain('succeeded');
    const bars = await page.locator('[data-points]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-points'))));
    const perDay = await stores.ledger.pointsPerDay(bars.length);
    expect(bars.reduce((a, c) => a + c, 0)).toBe(perDay.reduce((a, c) => a + c.points, 0));
    expect(bars.reduce((a, c) => a + c, 0)).toBeGreaterThan(0);
    await b.screenshot('01-overview');
  });

  it('lists tweets with engagement counts and points, and filters by category', async () => {
    const { page } = b;
    await openTab(page, 'Tweets');
    for (const t of seeded.tweets) {
      const stored = (await stores.tweets.get(t.id))!;
      const r = row(page, `@${t.author}`);
      await r.waitFor();
      expect(await r.textContent()).toContain(t.category);
      expect(await r.locator('td').allTextContents()).toEqual(expect.arrayContaining([String(stored.pointsAwarded), String(stored.engagementCount)]));
      expect(await r.getByRole('link').first().getAttribute('href')).toBe(`https://x.com/${t.author}/status/${t.id}`);
    }
    await b.screenshot('02-tweets');
    await page.goto(`/#/tweets?filter=${encodeURIComponent(JSON.stringify({ category: 'community' }))}`);
    await row(page, '@dave_outside').waitFor();
    await expect.poll(() => row(page, '@carol_x').count()).toBe(0);
  });

  it('shows the all-time and weekly leaderboards with tiers, and exports CSV', async () => {
    const { page } = b;
    await openTab(page, 'Leaderboard');
    const first = page.getByRole('row').nth(1);
    await expect.poll(() => first.textContent()).toContain(seeded.topName);
    expect(await first.textContent()).toContain(String(seeded.topPoints));
    expect(await first.textContent()).toContain('3 · Power');
    await b.screenshot('03-leaderboard');
    const href = await page.getByTestId('export-csv').getAttribute('href');
    const csv = await page.request.get(href!);
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    expect(text).toContain(seeded.topName);
    expect(text.trim().split('\n').length).toBeGreaterThanOrEqual(4);
    await page.goto(`/#/leaderboard?filter=${encodeURIComponent(JSON.stringify({ board: 'weekly' }))}`);
    await expect.poll(() => page.getByRole('row').nth(1).textContent()).toContain(seeded.topName);
    await b.screenshot('03b-leaderboard-weekly');
    // The month board: same leader this month, a period picker, and the export follows the board shown.
    await page.goto(`/#/leaderboard?filter=${encodeURIComponent(JSON.stringify({ board: 'monthly' }))}`);
    await expect.poll(() => page.getByRole('row').nth(1).textContent()).toContain(seeded.topName);
    await page.getByLabel('Period').waitFor();
    const monthHref = await page.getByTestId('export-csv').getAttribute('href');
    expect(monthHref).toContain('board=monthly');
    const monthCsv = await page.request.get(monthHref!);
    expect(monthCsv.status()).toBe(200);
    expect(await monthCsv.text()).toContain(seeded.topName);
    await b.screenshot('03c-leaderboard-monthly');
  });

  it('edits a member tier and adjusts points, saved in Redis', async () => {
    const { page } = b;
    await openTab(page, 'Members');
    const carol = seeded.members[2]!;
    await row(page, carol.name).click();
    await page.getByTestId('member-summary').waitFor();
    const before = (await stores.members.get(carol.id))!;
    await page.getByRole('combobox', { name: 'Tier' }).click();
    await page.getByRole('option', { name: '2 · Active' }).click();
    await page.getByRole('button', { name: 'Save tier' }).click();
    await expect.poll(async () => (await stores.members.get(carol.id))?.tier, { timeout: 10_000 }).toBe(2);
    await page.getByLabel('Points').fill('7');
    await page.getByLabel('Reason').fill('Great thread');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(async () => (await stores.members.get(carol.id))?.totalPoints, { timeout: 10_000 }).toBe(before.totalPoints + 7);
    await expect.poll(() => page.getByTestId('member-total-points').textContent()).toBe(String(before.totalPoints + 7));
    await expect.poll(() => page.getByTestId('points-history').textContent()).toContain('Adjustment: Great thread');
    expect(await page.getByTestId('points-history').textContent()).toContain('+7');
    await b.screenshot('04-member-edit');
    await openTab(page, 'Members');
    await row(page, seeded.members[3]!.name).waitFor();
    expect(await row(page, seeded.members[3]!.name).textContent()).toContain('unlinked');
    await b.screenshot('04b-members');
  });

  it('edits a rule in place and sees it saved, then resets to defaults', async () => {
    const { page } = b;
    await openTab(page, 'Rules');
    const like = page.getByLabel('Tier 1 like points');
    await expect.poll(() => like.inputValue()).toBe('1');
    await like.fill('4');
    await page.getByTestId('rule-save-1').click();
    await expect.poll(async () => (await stores.rules.get())[1].like, { timeout: 10_000 }).toBe(4);
    await page.reload();
    await expect.poll(() => page.getByLabel('Tier 1 like points').inputValue()).toBe('4');
    await b.screenshot('05-rules');
    await page.getByTestId('rules-reset').click();
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await expect.poll(async () => (await stores.rules.get())[1].like, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByLabel('Tier 1 like points').inputValue()).toBe('1');
  });

  it('runs a batch from the console and watches it finish', async () => {
    const { page } = b;
    await openTab(page, 'Batch jobs');
    await row(page, 'schedule').first().waitFor();
    const before = (await stores.batches.list({ offset: 0, limit: 100 })).total;
    await page.getByTestId('run-now').click();
    await page.getByRole('dialog').getByRole('button', { name: 'Run now' }).click();
    await expect.poll(async () => (await stores.batches.list({ offset: 0, limit: 100 })).total, { timeout: 15_000 }).toBe(before + 1);
    const manual = row(page, 'manual').first();
    await manual.waitFor();
    await expect.poll(async () => (await manual.textContent()) ?? '', { timeout: 60_000, interval: 500 }).toMatch(/succeeded|partial/);
    const latest = (await stores.batches.latest())!;
    expect(latest.trigger).toBe('manual');
    expect(['succeeded', 'partial']).toContain(latest.status);
    // The run found the engagements seeded on X after the first run and awarded them.
    expect(latest.stats.pointsAwarded ?? 0).toBeGreaterThan(0);
    expect(await manual.textContent()).toContain(String(latest.stats.pointsAwarded));
    await expect.poll(() => page.getByTestId('run-now').isDisabled()).toBe(false);
    await b.screenshot('06-batches');
    await manual.click();
    await page.getByTestId('batch-stats').waitFor();
    await b.screenshot('06b-batch-run');
  });

  it('reads and filters the audit log', async () => {
    const { page } = b;
    await openTab(page, 'Audit log');
    await row(page, /rule/i).first().waitFor();
    const all = await stores.audit.list({ offset: 0, limit: 200 });
    expect(all.total).toBeGreaterThan(0);
    const tierEntry = all.items.find((e) => e.target.includes(seeded.members[2]!.id) && /tier/i.test(e.action))!;
    expect(tierEntry).toBeDefined();
    await page.getByLabel('Action').fill(tierEntry.action);
    const expected = await stores.audit.list({ offset: 0, limit: 200, filter: { action: tierEntry.action } });
    expect(expected.total).toBeLessThan(all.total);
    await expect.poll(() => page.getByText(`1-${expected.total} of ${expected.total}`).count()).toBe(1);
    expect(await row(page, tierEntry.action).count()).toBe(expected.total);
    expect(await row(page, /auth\.login|rules\./).count()).toBe(0);
    await b.screenshot('07-audit-log');
  });

  it('reviews held engagements (approve, dismiss), bans and unbans a member, edits moderation settings, manages API tokens', async () => {
    const { page } = b;
    const carol = seeded.members[2]!;
    const bob = seeded.members[1]!;
    const post = seeded.tweets[1]!.id;
    const held = await stores.ledger.award({
      batchId: 'run-web',
      engagements: [
        { tweetId: post, discordId: bob.id, kind: 'reply', hold: { reason: 'reply', code: 'too_short', detail: 'too short', text: 'gm 🚀' } },
        { tweetId: post, discordId: bob.id, kind: 'quote', hold: { reason: 'ineligible', code: 'min_followers', detail: 'you need 50 followers on X (you have 3)' } },
      ],
    });
    expect(held.results.map((r) => r.outcome)).toEqual(['held', 'held']);
    await openTab(page, 'Review queue');
    await row(page, 'too short').waitFor();
    await row(page, 'you need 50 followers').waitFor();
    await b.screenshot('08-review-queue');
    const pointsBefore = (await stores.members.get(bob.id))!.totalPoints;
    await row(page, 'too short').getByRole('button', { name: 'Approve' }).click();
    await expect.poll(async () => (await stores.review.get(`${post}:${bob.id}:reply`))?.status).toBe('approved');
    expect((await stores.members.get(bob.id))!.totalPoints).toBeGreaterThan(pointsBefore);
    await row(page, 'you need 50 followers').getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(async () => (await stores.review.get(`${post}:${bob.id}:quote`))?.status).toBe('dismissed');
    await page.getByText('Nothing to review').waitFor();

    await openTab(page, 'Members');
    await row(page, carol.name).click();
    await page.getByTestId('member-summary').waitFor();
    await page.getByRole('button', { name: 'Ban', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('alt account');
    await dialog.getByRole('button', { name: 'Ban', exact: true }).click();
    await expect.poll(() => stores.bans.isBanned(carol.id)).toBe(true);
    await page.getByTestId('member-banned').waitFor();
    await openTab(page, 'Leaderboard');
    await page.getByRole('row').nth(1).waitFor();
    expect(await row(page, carol.name).count()).toBe(0);
    await openTab(page, 'Bans');
    await row(page, 'alt account').getByRole('button', { name: 'Unban' }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('appeal accepted');
    await page.getByRole('dialog').getByRole('button', { name: 'Unban' }).click();
    await expect.poll(() => stores.bans.isBanned(carol.id)).toBe(false);

    await page.getByRole('menuitem', { name: 'Moderation settings' }).click();
    const followers = page.getByLabel('Minimum X followers');
    await followers.fill('-5');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Must be 0 (off) or more').first().waitFor();
    await followers.fill('25');
    await page.getByLabel('Relink cooldown after unlinking (hours)').fill('48');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(async () => (await stores.moderation.get()).eligibility.minFollowers).toBe(25);
    expect((await stores.moderation.get()).relinkCooldownHours).toBe(48);
    await b.screenshot('09-moderation-settings');
    await stores.moderation.update({ eligibility: { minFollowers: 0 }, relinkCooldownHours: 0 }, 'test');

    await openTab(page, 'API tokens');
    await page.getByRole('link', { name: 'Create a token' }).first().click();
    await page.getByRole('textbox', { name: /^Name/ }).fill('nightly export');
    await page.getByRole('button', { name: 'Save' }).click();
    const secret = await page.getByTestId('token-secret').textContent();
    expect(secret).toMatch(/^et_/);
    const check = await fetch(`${api.url}/api/overview`, { headers: { authorization: `Bearer ${secret!.trim()}` } });
    expect(check.status).toBe(200);
    await openTab(page, 'API tokens');
    await row(page, 'nightly export').getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('dialog').getByRole('button', { name: /confirm|revoke/i }).click();
    await expect.poll(async () => (await fetch(`${api.url}/api/overview`, { headers: { authorization: `Bearer ${secret!.trim()}` } })).status).toBe(401);
  });

  it('deletes a tweet with its points taken back, and unlinks a member', async () => {
    const { page } = b;
    const t = seeded.tweets[2]!;
    const before = (await stores.tweets.get(t.id))!;
    expect(before.pointsAwarded).toBeGreaterThan(0);
    const total = await stores.ledger.logsForTweet(t.id);
    const awardedTo = total.find((l) => !l.revokedAt)!.discordId;
    const memberBefore = (await stores.members.get(awardedTo))!.totalPoints;
    await page.goto(`/#/tweets?filter=${encodeURIComponent('{}')}`);
    await row(page, `@${t.author}`).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel(/take back the \d+ points/).check();
    await b.screenshot('10-delete-tweet');
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(async () => (await stores.tweets.get(t.id))?.status ?? 'gone', { timeout: 10_000 }).not.toBe('active');
    await expect.poll(async () => (await stores.members.get(awardedTo))!.totalPoints).toBeLessThan(memberBefore);
    const bob = seeded.members[1]!;
    await openTab(page, 'Members');
    await row(page, bob.name).click();
    await page.getByRole('button', { name: 'Unlink X account' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Unlink' }).click();
    await expect.poll(async () => stores.connections.get(bob.id), { timeout: 10_000 }).toBeNull();
    await expect.poll(() => page.getByTestId('member-summary').textContent()).toContain('unlinked');
  });

  it('lists the members whose points exploded under the "Anomalous points" filter', async () => {
    const { page } = b;
    const carol = seeded.members[2]!;
    await stores.ledger.adjust({ discordId: carol.id, delta: 5000, reason: 'console anomaly check', actor: 'test' });
    try {
      await openTab(page, 'Members');
      await page.getByLabel('Anomalous points (24 h)').check();
      await expect.poll(() => page.getByRole('row').count(), { timeout: 15_000 }).toBe(2); // the header and carol
      expect(await row(page, carol.name).textContent()).toMatch(/\+\d+ in 24 h \(usual [\d.]+\/day\)/);
      await b.screenshot('04c-members-anomalous');
      await page.getByLabel('Anomalous points (24 h)').uncheck();
    } finally {
      await stores.ledger.adjust({ discordId: carol.id, delta: -5000, reason: 'console anomaly check, taken back', actor: 'test' });
    }
  });

  it('fits a phone screen', async () => {
    const phone = await openBrowser({ baseURL: api.url, viewport: { width: 390, height: 844 } });
    try {
      await signIn(phone.page, 'admin');
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await phone.screenshot('08-phone-overview');
      const width = () => phone.page.evaluate(() => document.documentElement.scrollWidth);
      await phone.page.goto('/#/leaderboard');
      // On a phone the lists are simple lists, not wide tables.
      const leader = (await stores.leaderboard.top({ board: 'alltime', limit: 1 })).entries[0]!;
      const leaderName = seeded.members.find((m) => m.id === leader.discordId)!.name;
      await phone.page.getByText(`#1 ${leaderName}`).waitFor();
      expect(await phone.page.getByText(`${leader.points} pts`).count()).toBeGreaterThan(0);
      expect(await width()).toBeLessThanOrEqual(390);
      await phone.screenshot('08b-phone-leaderboard');
      await phone.page.goto('/#/tweets');
      await phone.page.getByText(/pts$/).first().waitFor();
      expect(await width()).toBeLessThanOrEqual(390);
      await phone.screenshot('08c-phone-tweets');
      await phone.page.goto('/#/batches');
      await phone.page.getByText(/succeeded · (manual|schedule)/).first().waitFor();
      expect(await width()).toBeLessThanOrEqual(390);
      await phone.screenshot('08d-phone-batches');
    } finally {
      await phone.close();
    }
    expect(b.pageErrors).toEqual([]);
  });
});

describe('admin console as a core member', () => {
  const b = suiteBrowser(() => api.url, 'core');

  it('reads the data but cannot reach admin actions', async () => {
    const { page } = b;
    await signIn(page, 'core');
    const menu = (await page.getByRole('menuitem').allTextContents()).join('|');
    for (const tab of ['Tweets', 'Leaderboard', 'Members', 'Rules', 'Batch jobs', 'Audit log', 'Review queue', 'Bans']) expect(menu).toContain(tab);
    // API tokens and the moderation settings are admin only; the review queue has no decisions for core.
    expect(menu).not.toContain('API tokens');
    expect(menu).not.toContain('Moderation settings');
    await openTab(page, 'Batch jobs');
    await row(page, 'schedule').first().waitFor();
    expect(await page.getByTestId('run-now').count()).toBe(0);
    await openTab(page, 'Rules');
    await expect.poll(() => page.getByLabel('Tier 1 like points').isDisabled()).toBe(true);
    expect(await page.getByTestId('rules-reset').count()).toBe(0);
    expect(await page.getByTestId('rule-save-1').count()).toBe(0);
    await b.screenshot('09-core-rules');
    await openTab(page, 'Members');
    await row(page, seeded.members[0]!.name).click();
    // Members cannot be edited by core: the row does not open the edit page.
    expect(page.url()).not.toMatch(/\/members\/[^/]+$/);
    await page.goto(`/#/members/${seeded.members[0]!.id}`);
    await expect.poll(() => page.getByRole('button', { name: 'Save tier' }).count()).toBe(0);
    expect(await page.getByTestId('adjust-points').count()).toBe(0);
    await b.screenshot('09b-core-member-denied');
    // The API refuses too, even when the console is bypassed.
    const csrf = (await b.context.cookies()).find((c) => c.name === 'et_csrf')?.value ?? '';
    const put = await page.request.put('/api/rules/1', { data: { like: 50, retweet: 2, reply: 3, quote: 2 }, headers: { 'x-csrf-token': csrf } });
    expect(put.status()).toBe(403);
    const run = await page.request.post('/api/batches', { data: {}, headers: { 'x-csrf-token': csrf } });
    expect(run.status()).toBe(403);
    const adjust = await page.request.post(`/api/members/${seeded.members[0]!.id}/adjustments`, { data: { delta: 100, reason: 'sneaky' }, headers: { 'x-csrf-token': csrf } });
    expect(adjust.status()).toBe(403);
    expect((await stores.rules.get())[1].like).toBe(1);
    // Core moderates posts but moves no points: the delete dialog offers no take-back, the API refuses it.
    const t = seeded.tweets[0]!;
    const pointsBefore = (await stores.tweets.get(t.id))!.pointsAwarded;
    await openTab(page, 'Tweets');
    await row(page, `@${t.author}`).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/only an admin can take them back/).waitFor();
    expect(await dialog.getByLabel(/take back/).count()).toBe(0);
    await b.screenshot('09c-core-delete-dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    const revoke = await page.request.delete(`/api/tweets/${t.id}?revoke=true`, { headers: { 'x-csrf-token': csrf } });
    expect(revoke.status()).toBe(403);
    expect((await stores.tweets.get(t.id))!).toMatchObject({ status: 'active', pointsAwarded: pointsBefore });
  });
});

