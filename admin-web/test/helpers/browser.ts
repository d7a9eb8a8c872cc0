import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'admin-web');

/** The task's flags; playwright adds --headless itself (headless: true). */
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Errors the page threw or logged, for assertions. */
  pageErrors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile, driven by playwright-core. */
export async function openBrowser(opts: { baseURL: string; viewport?: { width: number; height: number } }): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'et-chromium-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    baseURL: opts.baseURL,
    viewport: opts.viewport ?? { width: 1366, height: 860 },
    timeout: 60_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // Generous: the machine running the tests may be busy (2 cores shared by many processes).
  page.setDefaultTimeout(30_000);
  page.setDefaultNavigationTimeout(60_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return {
    context,
    page,
    pageErrors,
    async screenshot(name: string) {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A browser for the tests of one describe block: opened before them, closed after, with a screenshot
 * (`FAILED-<tag>-<test>`) of any test that fails. Use its fields inside tests.
 */
export function suiteBrowser(baseURL: () => string, tag: string): Browser {
  let inner: Browser | undefined;
  const open = () => {
    if (!inner) throw new Error('The suite browser opens in beforeAll: use it inside tests.');
    return inner;
  };
  beforeAll(async () => {
    inner = await openBrowser({ baseURL: baseURL() });
  });
  afterAll(async () => {
    await inner?.close();
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await inner?.screenshot(`FAILED-${tag}-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => undefined);
  });
  return {
    get context() {
      return open().context;
    },
    get page() {
      return open().page;
    },
    get pageErrors() {
      return open().pageErrors;
    },
    screenshot: (name) => open().screenshot(name),
    close: async () => inner?.close(),
  };
}
