/**
 * The images, built and run for real with podman on locally built base images (no registry):
 * hardened flags (read-only root, uid 10001, no capabilities), health endpoints, a CronJob-equivalent
 * batch run the console shows, clean SIGTERM stops, then `podman kube play` of the chart's rendered
 * Deployments and `kube down`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '@engagement-tracker/core/testing';
import { startSandboxDoubles, type SandboxDoubles } from '@engagement-tracker/sandbox/stack';
import { openBrowser } from '../../admin-web/test/helpers/browser';
import { BASE_IMAGES, ensureBaseImages } from './support/base-images';
import { assertTools, helmTemplate, REPO, scenario, type K8sObject } from './support/helm';
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

describe('podman kube play of the chart (sandbox scenario: the doubles run in the play too)', () => {
  let dir: string;
  let manifest: string;
  const redisSecret = name('redis-url');

  afterAll(async () => {
    if (manifest) await podman(['kube', 'down', manifest], { allowFailure: true });
    await podman(['secret', 'rm', redisSecret], { allowFailure: true });
    await podman(['rm', '-f', '--time', '2', name('play-redis')], { allowFailure: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('starts the rendered Deployments (doubles, admin API, bot, console), which answer, and kube down removes them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'et-kube-play-'));
    const p = { redis: await freePort(), api: await freePort(), bot: await freePort(), web: await freePort(), discord: await freePort(), x: await freePort() };
    await podman(['run', '-d', '--name', name('play-redis'), ...HARDENED, BASE_IMAGES.redis, '--bind', '127.0.0.1', '--port', String(p.redis), '--dir', '/tmp', '--requirepass', REDIS_PASSWORD]);
    // kube play cannot read a kind: Secret; the same key goes into a podman secret (a JSON map of base64 values).
    const secretFile = join(dir, 'redis-url.json');
    writeFileSync(secretFile, JSON.stringify({ REDIS_URL: Buffer.from(`redis://:${REDIS_PASSWORD}@127.0.0.1:${p.redis}/0`).toString('base64') }));
    await podman(['secret', 'create', redisSecret, secretFile]);
    const overrides = join(dir, 'ports-values.yaml');
    writeFileSync(overrides, stringify({
      externalRedis: { existingSecret: redisSecret },
      sandbox: { enabled: true, host: '127.0.0.1', discordPort: p.discord, xPort: p.x },
      adminApi: { port: p.api },
      adminWeb: { port: p.web },
      bot: { healthPort: p.bot },
      config: { publicBaseUrl: `http://127.0.0.1:${p.web}` },
    }));
    const objects = await helmTemplate({ valuesFiles: [scenario('local-play'), overrides], release: 'play' });
    const playable = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'ConfigMap').map(forLocalPlay);
    expect(playable.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['play-engagement-tracker-admin-api', 'play-engagement-tracker-admin-web', 'play-engagement-tracker-bot', 'play-engagement-tracker-sandbox']);
    manifest = join(dir, 'play.yaml');
    writeFileSync(manifest, playable.map((o) => stringify(o)).join('---\n'));

    // Pods a crashed earlier run left behind would clash by name.
    await podman(['kube', 'down', manifest], { allowFailure: true });
    const t0 = Date.now();
    await podman(['kube', 'play', manifest]);
    const status = async () => (await podman(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])).stdout + (await containerLogs('play-engagement-tracker-bot-pod-bot'));
    await waitHealthy(`http://127.0.0.1:${p.api}/readyz`, 120_000, status);
    // The bot is ready once its gateway connection to the Discord double (in the play) is up.
    await waitHealthy(`http://127.0.0.1:${p.bot}/readyz`, 120_000, status);
    await waitHealthy(`http://127.0.0.1:${p.web}/healthz`, 60_000, status);
    measured.kubePlayToHealthySeconds = Math.round((Date.now() - t0) / 100) / 10;
    // Sandbox sign-in works through the console's pass-through (no credential anywhere).
    const cookie = await signIn(`http://127.0.0.1:${p.web}`);
    expect((await fetch(`http://127.0.0.1:${p.web}/auth/me`, { headers: { cookie } })).status).toBe(200);
    // Each container runs as the chart says: uid 10001, read-only root, no added capability.
    const inspect = JSON.parse((await podman(['inspect', 'play-engagement-tracker-admin-api-pod-admin-api'])).stdout) as Array<{ Config: { User: string }; HostConfig: { ReadonlyRootfs: boolean; CapAdd: string[] | null } }>;
    expect(inspect[0]!.Config.User).toMatch(/^10001/);
    expect(inspect[0]!.HostConfig.ReadonlyRootfs).toBe(true);
    expect(inspect[0]!.HostConfig.CapAdd ?? []).toEqual([]);

    await podman(['kube', 'down', manifest]);
    manifest = '';
    expect((await podman(['pod', 'ps', '--format', '{{.Name}}'])).stdout).not.toMatch(/play-engagement-tracker/);
  });
});

/**
 * What kube play needs changed (it is not a cluster): host networking without declared ports, no
 * probes (podman would run them as in-container healthchecks with tools the images do not have), and
 * field refs replaced by their values.
 */
function forLocalPlay(o: K8sObject): K8sObject {
  if (o.kind !== 'Deployment') return o;
  const pod = (o.spec as { template: { spec: Record<string, unknown> & { containers: Array<Record<string, unknown> & { env?: Array<Record<string, unknown>> }> } } }).template.spec;
  pod.hostNetwork = true;
  for (const c of pod.containers) {
    // kube play resolves no fieldRef (the pod's namespace): give the value it would have.
    for (const e of c.env ?? []) if ((e.valueFrom as { fieldRef?: unknown } | undefined)?.fieldRef) Object.assign(e, { value: 'engagement', valueFrom: undefined });
    delete c.ports;
    delete c.startupProbe;
    delete c.livenessProbe;
    delete c.readinessProbe;
  }
  return o;
}
