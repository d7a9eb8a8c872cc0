import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@engagement-tracker/core/testing';
import { loadStackConfig, startStack, type Stack } from '@engagement-tracker/sandbox/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type Browser } from './helpers/browser';
import { ensureBuilt } from './helpers/build';

/** The README's quick start: `npm start` in sandbox mode, then the console in a browser. */
describe('console on the npm start stack (sandbox)', () => {
  let dir: string;
  let stack: Stack;
  let b: Browser;

  beforeAll(async () => {
    await ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'et-web-stack-'));
    const config = loadStackConfig({
      STACK_DATA_DIR: dir,
      STACK_REDIS_PORT: String(await freePort()),
      ADMIN_API_PORT: String(await freePort()),
      STACK_COMMUNITY_SIZE: '8',
      STACK_COMMUNITY_TICK_MS: '500',
      LOG_LEVEL: 'warn',
    });
    stack = await startStack(config, { echo: () => undefined, env: { ...process.env, NODE_ENV: 'production', OTEL_SDK_DISABLED: 'true' } });
    b = await openBrowser({ baseURL: `http://127.0.0.1:${new URL(stack.consoleUrl).port}` });
  }, 240_000);

  afterAll(async () => {
    await b?.close();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('shows members, tweets, a finished batch run and a leaderboard within a minute', async () => {
    const { page } = b;
    await page.goto('/');
    await page.getByRole('button', { name: 'Sandbox admin' }).click({ timeout: 60_000 });
    await page.getByTestId('dashboard').waitFor();
    await expect.poll(async () => Number(await page.getByTestId('card-linked-members-value').textContent()), { timeout: 60_000, interval: 1000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await page.getByTestId('card-last-run').textContent()) ?? '', { timeout: 90_000, interval: 1000 }).toMatch(/succeeded|partial/);
    const card = async (name: string) => Number(await page.getByTestId(`card-${name}-value`).textContent());
    await expect.poll(() => card('top-score'), { timeout: 90_000, interval: 1000 }).toBeGreaterThan(0);
    // Points were given for posts, so the same overview counts active posts (never 0 beside a positive top score).
    expect(await card('active-tweets')).toBeGreaterThan(0);
    await b.screenshot('stack-01-overview');
    await page.getByRole('menuitem', { name: 'Leaderboard' }).click();
    const first = page.getByRole('row').nth(1);
    await expect.poll(() => first.textContent()).toMatch(/·/);
    await b.screenshot('stack-02-leaderboard');
    await page.getByRole('menuitem', { name: 'Tweets' }).click();
    await expect.poll(() => page.getByRole('row').count()).toBeGreaterThan(2);
    await b.screenshot('stack-03-tweets');
    await page.getByRole('menuitem', { name: 'Members' }).click();
    await expect.poll(() => page.getByRole('row').filter({ hasText: 'linked' }).count()).toBeGreaterThan(0);
    await b.screenshot('stack-04-members');
    await page.getByRole('menuitem', { name: 'Batch jobs' }).click();
    await page.getByRole('row').filter({ hasText: /succeeded|partial/ }).first().waitFor();
    await b.screenshot('stack-05-batches');
    expect(b.pageErrors).toEqual([]);
  });
});
