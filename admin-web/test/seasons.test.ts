import { createStores, periodBounds, periodOf, SANDBOX_ENCRYPTION_KEY, shiftPeriod } from '@engagement-tracker/core';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openBrowser, suiteBrowser } from './helpers/browser';
import { consoleStack } from './helpers/console-stack';

/** The console's Seasons page and the Leaderboard's past periods and seasons, driven in the browser. */
const s = consoleStack('webseasons');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Signs in as the sandbox admin (or core member), unless the browser's session already is. */
async function signIn(page: Page, role: 'admin' | 'core' = 'admin') {
  await page.goto('/');
  const button = page.getByRole('button', { name: role === 'admin' ? 'Sandbox admin' : 'Sandbox core member' });
  const dashboard = page.getByTestId('dashboard');
  // The first load of the console can be slow on a busy machine.
  await button.or(dashboard).first().waitFor({ timeout: 60_000 });
  if (await button.isVisible()) await button.click();
  await dashboard.waitFor();
}

async function pick(page: Page, label: string, option: string) {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** What a datetime-local input takes for an instant, in the browser's own time zone. */
const localInput = (page: Page, at: number) =>
  page.evaluate((ms) => {
    const d = new Date(ms);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, at);

const firstRow = (page: Page) => page.getByRole('row').nth(1);

describe('seasons and past boards in the console', () => {
  const b = suiteBrowser(() => s.api.url, 'seasons');

  it('an admin creates a season, a clashing one is refused with the reason, and a running season takes a new multiplier (audited)', async () => {
    const { page } = b;
    await signIn(page);
    await page.getByRole('menuitem', { name: 'Seasons' }).click();
    await page.getByText('No seasons yet').waitFor();
    await page.getByRole('link', { name: 'Create' }).first().click();
    // Whole minutes: the input has no seconds.
    const startsAt = Math.floor((Date.now() - HOUR) / 60_000) * 60_000;
    const endsAt = startsAt + 14 * DAY;
    await page.getByRole('textbox', { name: /^Name/ }).fill('Winter sprint');
    await page.getByLabel(/^Starts/).fill(await localInput(page, startsAt));
    await page.getByLabel(/^Ends/).fill(await localInput(page, endsAt));
    await page.getByLabel(/^Multiplier/).fill('150');
    await page.getByLabel(/^Cap per member per post/).fill('10');
    await page.getByLabel(/^Categories/).fill('launch, memes');
    await page.getByLabel(/^Reward zone/).fill('3');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await s.stores.seasons.list()).length, { timeout: 15_000 }).toBe(1);
    const [season] = await s.stores.seasons.list();
    expect(season).toMatchObject({ name: 'Winter sprint', startsAt, endsAt, multiplierPct: 150, capPerPost: 10, categories: ['launch', 'memes'], rewardTop: 3, status: 'running' });
    expect(season!.capPerDay).toBeUndefined();
    const row = page.getByRole('row').filter({ hasText: 'Winter sprint' });
    await expect.poll(() => row.textContent()).toContain('×1.5');
    expect(await row.textContent()).toContain('top 3');
    await b.screenshot('30-seasons-list');

    // Same time, a category in common: refused, with the season it clashes with named.
    await page.getByRole('link', { name: 'Create' }).first().click();
    // The form's field, not the list's "Sort by name" header still shown while the form opens.
    await page.getByRole('textbox', { name: /^Name/ }).fill('Meme week');
    await page.getByLabel(/^Starts/).fill(await localInput(page, startsAt + 2 * DAY));
    await page.getByLabel(/^Ends/).fill(await localInput(page, startsAt + 9 * DAY));
    await page.getByLabel(/^Categories/).fill('memes');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('It overlaps season "Winter sprint"', { exact: false }).waitFor();
    await b.screenshot('31-season-overlap-refused');
    expect((await s.stores.seasons.list()).map((x) => x.name)).toEqual(['Winter sprint']);
    // Other categories at the same time are fine.
    await page.getByLabel(/^Categories/).fill('art');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await s.stores.seasons.list()).map((x) => x.name).sort(), { timeout: 15_000 }).toEqual(['Meme week', 'Winter sprint']);

    // The running season: the form says what an edit does, and the new multiplier is saved and audited.
    await page.getByRole('menuitem', { name: 'Seasons' }).click();
    await page.getByRole('row').filter({ hasText: 'Winter sprint' }).click();
    await page.getByText('This season is running: its start and categories are fixed.', { exact: false }).waitFor();
    await page.getByLabel(/^Multiplier/).fill('200');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await s.stores.seasons.get(season!.id))?.multiplierPct, { timeout: 15_000 }).toBe(200);
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'Winter sprint' }).textContent()).toContain('×2');
    const audit = (await s.stores.audit.list({ filter: { target: `season:${season!.id}` } })).items;
    expect(audit.map((a) => a.action)).toEqual(['season.update', 'season.create']);
    expect(audit[0]).toMatchObject({ actor: expect.stringMatching(/^discord:\d+$/), before: { multiplierPct: 150 }, after: { multiplierPct: 200 } });
    expect(b.pageErrors).toEqual([]);
  });

  it('the leaderboard browses a past week and an ended season, and exports what it shows as CSV', async () => {
    const { page } = b;
    // Last week: a season of two days, and awards inside it, made by stores whose clock reads then.
    const lastWeek = shiftPeriod('week', periodOf('week', Date.now()), 1)!;
    const clock = { now: periodBounds('week', lastWeek)!.start + HOUR };
    const past = createStores(s.redis, { prefix: s.prefix, encryptionKey: SANDBOX_ENCRYPTION_KEY, now: () => clock.now });
    const members = [
      { id: '300000000000000001', name: 'Ada Past' },
      { id: '300000000000000002', name: 'Ben Past' },
      { id: '300000000000000003', name: 'Cy Past' },
    ];
    for (const [i, m] of members.entries()) {
      await past.connections.link({
        discordId: m.id, displayName: m.name, xUserId: `3900000000000000${i}`, handle: `past_${i}`,
        scopes: ['tweet.read', 'users.read', 'like.read', 'offline.access'],
        tokens: { accessToken: `a${i}`, refreshToken: `r${i}`, expiresAt: clock.now + 2 * HOUR, scopes: ['like.read'] },
      });
    }
    const autumn = await past.seasons.create({ name: 'Autumn sprint', startsAt: clock.now + HOUR, endsAt: clock.now + 2 * DAY, multiplierPct: 200 }, 'test');
    const tweetId = '1870000000000000001';
    // A post by someone outside the three, submitted by a fourth member (nobody earns on their own post).
    await past.members.ensure('300000000000000009', 'Dee Submitter');
    await past.tweets.submit({ tweetId, url: `https://x.com/outsider/status/${tweetId}`, authorId: '39999999999999999', authorHandle: 'outsider', submitterId: '300000000000000009', category: 'general', createdAt: clock.now });
    clock.now += 2 * HOUR;
    await past.ledger.award({
      batchId: 'past-run',
      engagements: [
        { tweetId, discordId: members[0]!.id, kind: 'reply' }, // 3 pts, 6 in the season
        { tweetId, discordId: members[1]!.id, kind: 'like' }, // 1 pt, 2
        { tweetId, discordId: members[2]!.id, kind: 'retweet' }, // 2 pts, 4
      ],
    });
    // This week Ben leads.
    await s.stores.ledger.adjust({ discordId: members[1]!.id, delta: 50, reason: 'this week', actor: 'test' });
    expect((await s.stores.seasons.get(autumn.id))?.status).toBe('ended');

    await signIn(page);
    await page.goto(`/#/leaderboard?filter=${encodeURIComponent(JSON.stringify({ board: 'weekly' }))}`);
    await expect.poll(() => firstRow(page).textContent()).toContain('Ben Past');
    await pick(page, 'Period', lastWeek);
    await expect.poll(() => firstRow(page).textContent()).toContain('Ada Past');
    const lastWeekRows = await page.getByRole('row').allTextContents();
    expect(lastWeekRows.slice(1).map((r) => r.match(/(Ada|Ben|Cy) Past/)?.[0])).toEqual(['Ada Past', 'Cy Past', 'Ben Past']);
    await b.screenshot('32-leaderboard-past-week');
    const weekHref = (await page.getByTestId('export-csv').getAttribute('href'))!;
    expect(weekHref).toContain(`period=${lastWeek}`);
    const weekCsv = (await (await page.request.get(weekHref)).text()).trim().split('\n').slice(1);
    expect(weekCsv.map((l) => l.split(',').at(-1))).toEqual(['3', '2', '1']);

    // The ended season's final board, multiplied, and its CSV.
    await pick(page, 'Board', 'Season');
    await pick(page, 'Season', 'Autumn sprint (ended)');
    await expect.poll(() => firstRow(page).textContent()).toContain('Ada Past');
    expect(await firstRow(page).textContent()).toContain('6');
    await b.screenshot('33-leaderboard-season-final');
    const seasonHref = (await page.getByTestId('export-csv').getAttribute('href'))!;
    expect(seasonHref).toContain(`board=season`);
    expect(seasonHref).toContain(`season=${autumn.id}`);
    const seasonCsv = await page.request.get(seasonHref);
    expect(seasonCsv.headers()['content-disposition']).toBe(`attachment; filename="leaderboard-season-${autumn.id}.csv"`);
    const lines = (await seasonCsv.text()).trim().split('\n').slice(1);
    expect(lines).toEqual([
      expect.stringMatching(/^1,"300000000000000001","Ada Past",.*,6$/),
      expect.stringMatching(/^2,"300000000000000003","Cy Past",.*,4$/),
      expect.stringMatching(/^3,"300000000000000002","Ben Past",.*,2$/),
    ]);
    expect(b.pageErrors).toEqual([]);
  });

  it('a core member reads the seasons but cannot change one; the list fits a phone screen', async () => {
    const season = (await s.stores.seasons.list()).find((x) => x.name === 'Winter sprint')!;
    const core = await openBrowser({ baseURL: s.api.url });
    try {
      const { page } = core;
      await signIn(page, 'core');
      await page.getByRole('menuitem', { name: 'Seasons' }).click();
      const row = page.getByRole('row').filter({ hasText: 'Winter sprint' });
      await expect.poll(() => row.textContent()).toContain('×2');
      expect(await page.getByRole('link', { name: 'Create' }).count()).toBe(0);
      // A row leads nowhere it cannot go: the list stays, no "Access denied" page.
      await row.click();
      await page.getByRole('menuitem', { name: 'Role rewards' }).click();
      await page.goBack();
      await row.waitFor();
      expect(page.url()).toMatch(/#\/seasons$/);
      expect(await page.getByText('Access denied').count()).toBe(0);
      await core.screenshot('34-seasons-core');
      const csrf = (await core.context.cookies()).find((c) => c.name === 'et_csrf')?.value ?? '';
      const put = await page.request.put(`/api/seasons/${season.id}`, { data: { ...season, multiplierPct: 900 }, headers: { 'x-csrf-token': csrf } });
      expect(put.status()).toBe(403);
      expect((await s.stores.seasons.get(season.id))?.multiplierPct).toBe(200);
    } finally {
      await core.close();
    }
    const phone = await openBrowser({ baseURL: s.api.url, viewport: { width: 390, height: 844 } });
    try {
      await signIn(phone.page);
      await phone.page.goto('/#/seasons');
      await phone.page.getByText('Winter sprint').waitFor();
      await phone.page.getByText('Autumn sprint').waitFor();
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await phone.screenshot('35-seasons-phone');
    } finally {
      await phone.close();
    }
  });
});
