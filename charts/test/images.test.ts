/**
 * The images, built and run for real with podman on locally built base images (no registry):
 * hardened flags (read-only root, uid 10001, no capabilities), health endpoints, a CronJob-equivalent
 * batch run the console shows, clean SIGTERM stops.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@engagement-tracker/core/testing';
import { startSandboxDoubles, type SandboxDoubles } from '@engagement-tracker/sandbox/stack';
import { openBrowser } from '../../admin-web/test/helpers/browser';
import { BASE_IMAGES, ensureBaseImages } from './support/base-images';
import { assertTools, REPO } from './support/helm';
import { buildAppImages, containerLogs, envFlags, HARDENED, imageRef, stopContainer, waitHealthy, WORKLOADS } from './support/images';
import { imageSize, podman } from './support/podman';

const tag = `et-test-${process.pid}`;
const name = (what: string) => `${tag}-${what}`;
const REDIS_PASSWORD = 'test-redis-password';
const measured: Record<string, unknown> = {};
const started: string[] = [];
let doubles: SandboxDoubles;
let redisUrl: string;
let ports: { redis: number; api: number; bot: number; web: number };

/** Runs a product container detached with the hardened flags. */
async function runDetached(what: string, image: string, env: Record<string, string>, args: string[] = []): Promise<void> {
  await podman(['run', '-d', '--name', name(what), ...HARDENED, ...envFlags(env), image, ...args]);
  started.push(name(what));
}

/** Signs in to the console (sandbox admin) through the console container and returns a cookie header. */
async function signIn(web: string): Promise<string> {
  const res = await fetch(`${web}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"admin"}' });
  expect(res.status).toBe(200);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

beforeAll(async () => {
  assertTools();
  const t0 = Date.now();
  const builtBases = await ensureBaseImages();
  measured.baseImagesSeconds = builtBases.length ? Math.round((Date.now() - t0) / 1000) : 'cached';
  const t1 = Date.now();
  measured.buildSeconds = await buildAppImages();
  measured.buildAllSeconds = Math.round((Date.now() - t1) / 1000);
  measured.imageMB = Object.fromEntries(await Promise.all(WORKLOADS.map(async (w) => [w, Math.round((await imageSize(imageRef(w))) / 1e5) / 10])));
  measured.baseMB = Math.round((await imageSize(BASE_IMAGES.node)) / 1e5) / 10;

  doubles = await startSandboxDoubles();
  ports = { redis: await freePort(), api: await freePort(), bot: await freePort(), web: await freePort() };
  redisUrl = `redis://:${REDIS_PASSWORD}@127.0.0.1:${ports.redis}/0`;
}, 45 * 60_000);

afterAll(async () => {
  for (const c of started) await podman(['rm', '-f', '--time', '2', c], { allowFailure: true });
  await doubles?.close();
  mkdirSync(join(REPO, 'test-artifacts', 'deploy'), { recursive: true });
  writeFileSync(join(REPO, 'test-artifacts', 'deploy', 'measurements.json'), `${JSON.stringify(measured, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify({ deployImages: measured })}\n`);
}, 120_000);

describe('container images', () => {
  it('hold compiled JavaScript and production dependencies only, run as uid 10001 with an exec-form entrypoint', async () => {
    for (const w of WORKLOADS) {
      const cfg = JSON.parse((await podman(['image', 'inspect', '--format', '{{json .Config}}', imageRef(w)])).stdout) as { User: string; Entrypoint: string[] };
      expect(cfg.User, w).toBe('10001:10001');
      expect(cfg.Entrypoint[0], w).toBe('node');
      const dist = w === 'admin-web' ? '/app/dist' : `/app/${w}/dist`;
      const files = (await podman(['run', '--rm', '--entrypoint', 'sh', imageRef(w), '-c', `ls ${dist}; ls /app/node_modules 2>/dev/null; find /app -name "*.ts" -not -path "*/node_modules/*" | head -3`])).stdout.split('\n');
      expect(files, w).toContain('main.mjs');
      for (const devOnly of ['tsx', 'typescript', 'vitest', 'esbuild', 'vite', 'eslint', 'playwright-core', 'react', 'aws-cdk-lib']) expect(files, `${w} ships ${devOnly}`).not.toContain(devOnly);
      expect(files.filter((f) => f.endsWith('.ts')), w).toEqual([]);
    }
  });
});

describe('the product in containers (read-only, uid 10001, no capabilities) with the doubles on the host', () => {
  const appEnv = () => ({ ...doubles.env, REDIS_URL: redisUrl, LOG_LEVEL: 'info', PUBLIC_BASE_URL: `http://127.0.0.1:${ports.web}` });

  it('Redis, admin API, bot and console start and answer their health endpoints', async () => {
    // Read-only root: podman gives a writable tmpfs /tmp, where this Redis keeps its AOF.
    await podman(['run', '-d', '--name', name('redis'), ...HARDENED, BASE_IMAGES.redis, '--bind', '127.0.0.1', '--port', String(ports.redis), '--dir', '/tmp', '--appendonly', 'yes', '--requirepass', REDIS_PASSWORD]);
    started.push(name('redis'));
    const t0 = Date.now();
    await runDetached('admin-api', imageRef('admin-api'), { ...appEnv(), ADMIN_API_PORT: String(ports.api), BATCH_LAUNCHER: 'local' });
    await runDetached('bot', imageRef('bot'), { ...appEnv(), HEALTH_PORT: String(ports.bot) });
    await runDetached('web', imageRef('admin-web'), { ADMIN_WEB_PORT: String(ports.web), ADMIN_API_URL: `http://127.0.0.1:${ports.api}` });
    await waitHealthy(`http://127.0.0.1:${ports.api}/readyz`, 120_000, () => containerLogs(name('admin-api')));
    await waitHealthy(`http://127.0.0.1:${ports.bot}/readyz`, 120_000, () => containerLogs(name('bot')));
    await waitHealthy(`http://127.0.0.1:${ports.web}/healthz`, 60_000, () => containerLogs(name('web')));
    measured.containersHealthySeconds = Math.round((Date.now() - t0) / 100) / 10;
    // The console serves the built app with its security headers, and passes the API through.
    const page = await fetch(`http://127.0.0.1:${ports.web}/batches`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    expect((await fetch(`http://127.0.0.1:${ports.web}/auth/me`)).status).toBe(401);
    // JSON logs on stdout.
    const line = (await podman(['logs', name('admin-api')])).stdout.split('\n').find((l) => l.includes('admin API listening'));
    expect(JSON.parse(line!)).toMatchObject({ level: expect.stringMatching(/^info$/), msg: 'admin API listening' });
  });

  it('the console app runs under its CSP in Chromium: it renders and nothing is refused', async () => {
    const browser = await openBrowser({ baseURL: `http://127.0.0.1:${ports.web}` });
    const refused: string[] = [];
    browser.page.on('console', (m) => /Content Security Policy|Refused to/i.test(m.text()) && refused.push(m.text()));
    try {
      await browser.page.goto('/');
      // The sign-in page is drawn by the app's script bundle and styles: they ran under the CSP.
      await browser.page.getByText('Sandbox admin').waitFor({ timeout: 60_000 });
      expect(refused).toEqual([]);
      expect(browser.pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('a CronJob-equivalent run of the batch image finishes, and the console shows it', async () => {
    const jobName = 'et-batch-29000000';
    const r = await podman(['run', '--name', name('batch'), ...HARDENED, ...envFlags({ ...appEnv(), BATCH_TRIGGER: 'schedule', JOB_NAME: jobName, NODE_OPTIONS: '--max-old-space-size=192' }), imageRef('batch-job'), 'run'], { allowFailure: true });
    started.push(name('batch'));
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { runId: string; status: string };
    expect(summary.status).toBe('succeeded');
    const web = `http://127.0.0.1:${ports.web}`;
    const cookie = await signIn(web);
    const list = await fetch(`${web}/api/batches?range=[0,9]`, { headers: { cookie } });
    expect(list.status).toBe(200);
    const runs = (await list.json()) as Array<{ id: string; status: string; trigger: string; jobName?: string }>;
    expect(runs.find((x) => x.id === summary.runId)).toMatchObject({ status: 'succeeded', trigger: 'schedule', jobName });
  });

  it('SIGTERM stops every long-running container cleanly, well within the grace period', async () => {
    for (const what of ['web', 'bot', 'admin-api', 'redis']) {
      const { exitCode, seconds } = await stopContainer(name(what), 25);
      expect(exitCode, `${what} exit code after SIGTERM\n${await containerLogs(name(what))}`).toBe(0);
      expect(seconds, what).toBeLessThan(25);
    }
  });
});
