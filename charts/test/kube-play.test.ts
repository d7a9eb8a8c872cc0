/**
 * `podman kube play` of the chart's rendered Deployments in the sandbox scenario (ci/local-play-values.yaml):
 * the Discord and X doubles run in the play as the chart's sandbox Deployment, next to the admin API, the
 * bot and the console, on the locally built images (`imagePullPolicy: Never`); Redis runs outside the play
 * (kube play skips StatefulSets). Each pod's endpoints answer, a sandbox admin signs in through the
 * console's pass-through and starts a manual run: the admin API in the play creates the Job from the
 * chart's CronJob in the Kubernetes API double, whose Job runs as a pod of the batch image, and the console
 * shows the run finished. Then `podman kube down` leaves no pod, container or volume.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '@engagement-tracker/core/testing';
import { SANDBOX_CREDENTIALS } from '@engagement-tracker/core';
import { startKubernetesDouble, type KubeObject, type KubernetesDouble } from '@engagement-tracker/sandbox/kubernetes';
import { BASE_IMAGES, ensureBaseImages } from './support/base-images';
import { assertTools, helmTemplate, scenario, type K8sObject } from './support/helm';
import { find } from './support/pods';
import { buildAppImages, containerLogs, HARDENED, imageRef, waitHealthy, WORKLOADS } from './support/images';
import { forLocalPlay, jobPod, leftovers, playPodNames, podSpecOf, removeOrphans, withKubeconfig } from './support/kube-play';
import { podman } from './support/podman';

/** Every name this run gives podman starts with `<BASE>-<pid>-`, so a later run can tell its leftovers. */
const BASE = 'etplay';
const prefix = `${BASE}-${process.pid}`;
const release = prefix;
const playTag = `kube-play-${process.pid}`;
const playRef = (w: (typeof WORKLOADS)[number]) => imageRef(w, playTag);
const NAMESPACE = 'engagement';
const REDIS_PASSWORD = 'play-redis-password';
const measured: Record<string, unknown> = {};

let dir: string;
let manifest = '';
let objects: K8sObject[];
let playable: K8sObject[];
const p = { redis: 0, api: 0, bot: 0, web: 0, discord: 0, x: 0 };
const redisContainer = `${prefix}-redis`;
const redisSecret = `${prefix}-redis-url`;
let k8s: KubernetesDouble | undefined;
/** The Job pods this run played (their manifests), and what the last one printed. */
const jobPods: string[] = [];
let lastJobLog = '';

/**
 * The Kubernetes API double's Job executor: each Job the admin API creates runs as its pod, played by
 * podman from the Job's own pod template (the chart's batch container), until the container exits.
 */
async function playJob(job: KubeObject): Promise<{ exitCode: number }> {
  const pod = jobPod(job as K8sObject, objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name), { 'metadata.namespace': NAMESPACE });
  const file = join(dir, `${pod.metadata.name}.yaml`);
  writeFileSync(file, stringify(pod));
  jobPods.push(file);
  await podman(['kube', 'play', '--build=false', file], { cwd: dir });
  const container = `${pod.metadata.name}-${(pod.spec as { containers: Array<{ name: string }> }).containers[0]!.name}`;
  const exitCode = Number((await podman(['wait', container])).stdout.trim());
  const logs = await podman(['logs', container]);
  lastJobLog = logs.stdout + logs.stderr;
  await podman(['kube', 'down', file], { cwd: dir });
  return { exitCode };
}

/** What the play's containers said, for a failure message. */
async function playLogs(): Promise<string> {
  const ps = (await podman(['ps', '-a', '--filter', `name=^${prefix}`, '--format', '{{.Names}} {{.Status}}'], { allowFailure: true })).stdout;
  const names = ps.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n && n !== redisContainer);
  return `${ps}\n${(await Promise.all(names.map((n) => containerLogs(n)))).join('\n')}`;
}

/**
 * `kube down`, then each pod by name: kube down stops at the first pod it does not find, which is what a
 * play that failed half-way leaves.
 */
async function playDown(file: string): Promise<void> {
  await podman(['kube', 'down', file], { allowFailure: true, cwd: dir });
  for (const pod of playPodNames(playable)) await podman(['pod', 'rm', '-f', '--time', '5', pod], { allowFailure: true });
}

/** Polls `url` until it answers at all (any HTTP status): the doubles have no health route. */
async function waitAnswering(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fetch(url, { ...init, signal: AbortSignal.timeout(3000) });
    } catch (err) {
      if (Date.now() > until) throw new Error(`${url} not answering after ${timeoutMs} ms (${(err as Error).message})\n${await playLogs()}`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  assertTools();
  const removed = await removeOrphans(BASE);
  if (removed.length) process.stdout.write(`${JSON.stringify({ kubePlayRemovedLeftovers: removed })}\n`);
  dir = mkdtempSync(join(tmpdir(), 'et-kube-play-'));
  // The images the images test builds (from the layer cache when it already ran), each also tagged for
  // this run only as it is built, so a build from elsewhere on this machine cannot change what the play runs.
  await ensureBaseImages();
  const t0 = Date.now();
  await buildAppImages(playTag);
  measured.buildSeconds = Math.round((Date.now() - t0) / 1000);
  for (const k of Object.keys(p) as Array<keyof typeof p>) p[k] = await freePort();
}, 45 * 60_000);

afterAll(async () => {
  if (manifest) await playDown(manifest);
  for (const file of jobPods) await podman(['kube', 'down', file], { allowFailure: true, cwd: dir });
  await k8s?.close();
  await podman(['rm', '-f', '--time', '2', redisContainer], { allowFailure: true });
  await podman(['secret', 'rm', redisSecret], { allowFailure: true });
  // untag with the name given: without it podman removes every name of the image (the images test's too).
  for (const w of WORKLOADS) await podman(['untag', playRef(w), playRef(w)], { allowFailure: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ deployKubePlay: measured })}\n`);
}, 120_000);

describe('podman kube play of the chart (sandbox scenario: the doubles run in the play as a Deployment)', () => {
  it('renders the sandbox scenario: a Deployment and Service of doubles that every process is pointed at', async () => {
    const overrides = join(dir, 'play-values.yaml');
    writeFileSync(
      overrides,
      stringify({
        image: { tag: playTag },
        externalRedis: { existingSecret: redisSecret },
        sandbox: { discordPort: p.discord, xPort: p.x },
        adminApi: { port: p.api },
        adminWeb: { port: p.web },
        bot: { healthPort: p.bot },
        config: { publicBaseUrl: `http://127.0.0.1:${p.web}` },
      }),
    );
    objects = await helmTemplate({ valuesFiles: [scenario('local-play'), overrides], release, namespace: NAMESPACE });
    const fullname = `${release}-engagement-tracker`;
    const sandboxService = objects.find((o) => o.kind === 'Service' && o.metadata.name === `${fullname}-sandbox`);
    expect(sandboxService, 'the doubles get a Service').toBeDefined();
    // The processes reach the doubles through that Service's name, as in a cluster.
    for (const d of objects.filter((o) => o.kind === 'Deployment' && /-(bot|admin-api)$/.test(o.metadata.name))) {
      const env = Object.fromEntries((podSpecOf(d).containers[0]!.env ?? []).map((e) => [e.name, e.value]));
      expect(env, d.metadata.name).toMatchObject({
        SANDBOX: 'true',
        DISCORD_API_BASE_URL: `http://${fullname}-sandbox:${p.discord}/api`,
        TWITTER_API_BASE_URL: `http://${fullname}-sandbox:${p.x}`,
      });
      expect(Object.keys(env), `${d.metadata.name} needs no token in sandbox mode`).not.toContain('DISCORD_BOT_TOKEN');
    }
    // The console passes /api and /auth to the admin API's Service.
    const web = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `${fullname}-admin-web`)!;
    expect(podSpecOf(web).containers[0]!.env).toContainEqual({ name: 'ADMIN_API_URL', value: `http://${fullname}-admin-api:${p.api}` });

    playable = forLocalPlay(objects, { 'metadata.namespace': NAMESPACE });
    // The admin API's Kubernetes API: the double, holding the chart's CronJob, running the Jobs made from it.
    const cronJob = find(objects, 'CronJob', '-batch');
    k8s = await startKubernetesDouble({ host: '127.0.0.1', seed: [{ ...cronJob, metadata: { ...cronJob.metadata, namespace: NAMESPACE } } as KubeObject], executor: playJob });
    const kubeconfig = join(dir, 'kubeconfig.json');
    writeFileSync(kubeconfig, k8s.kubeconfig(NAMESPACE), { mode: 0o644 });
    withKubeconfig(find(playable, 'Deployment', '-admin-api'), kubeconfig);
    expect(playable.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort()).toEqual(['admin-api', 'admin-web', 'bot', 'sandbox'].map((c) => `${fullname}-${c}`));
    // What kube play does not run is left out, and said so: Services become host names, the rest needs a cluster.
    const left = [...new Set(objects.filter((o) => !playable.some((x) => x.kind === o.kind)).map((o) => o.kind))].sort();
    measured.notPlayedKinds = left;
    expect(left).toEqual(expect.arrayContaining(['CronJob', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']));
    manifest = join(dir, 'play.yaml');
    writeFileSync(manifest, playable.map((o) => stringify(o)).join('---\n'));
  });

  it('starts the doubles, admin API, bot and console, which answer; a manual run started from the console runs as a Job pod and succeeds; kube down removes everything', async () => {
    expect(manifest, 'the render test ran').not.toBe('');
    await podman(['run', '-d', '--name', redisContainer, ...HARDENED, BASE_IMAGES.redis, '--bind', '127.0.0.1', '--port', String(p.redis), '--dir', '/tmp', '--requirepass', REDIS_PASSWORD]);
    // kube play reads secretKeyRef from podman's secret store (a JSON map of base64 values), not from a kind: Secret.
    const secretFile = join(dir, 'redis-url.json');
    writeFileSync(secretFile, JSON.stringify({ REDIS_URL: Buffer.from(`redis://:${REDIS_PASSWORD}@127.0.0.1:${p.redis}/0`).toString('base64') }));
    await podman(['secret', 'create', redisSecret, secretFile]);
    rmSync(secretFile);

    const t0 = Date.now();
    // --build=false: kube play would otherwise build any image whose name matches a folder of the working directory.
    await podman(['kube', 'play', '--build=false', manifest], { cwd: dir });
    measured.kubePlayCommandSeconds = Math.round((Date.now() - t0) / 100) / 10;
    // The doubles: Discord's gateway discovery, and X answering an app-only request.
    const gateway = await waitAnswering(`http://127.0.0.1:${p.discord}/api/v10/gateway`, {}, 120_000);
    expect(gateway.status).toBe(200);
    // The gateway URL the double hands out names its Service (here the loopback address standing in for it).
    expect(((await gateway.json()) as { url: string }).url).toBe(`ws://127.0.0.1:${p.discord}`);
    const x = await waitAnswering(`http://127.0.0.1:${p.x}/2/users/by/username/nobody`, { headers: { authorization: `Bearer ${SANDBOX_CREDENTIALS.TWITTER_BEARER_TOKEN}` } }, 60_000);
    expect(x.status).toBe(200);
    expect(await x.json()).toMatchObject({ errors: [{ title: 'Not Found Error', resource_type: 'user', value: 'nobody' }] });
    await waitHealthy(`http://127.0.0.1:${p.api}/readyz`, 180_000, playLogs);
    // The bot is ready once its gateway connection to the Discord double (in the play) is up.
    await waitHealthy(`http://127.0.0.1:${p.bot}/readyz`, 180_000, playLogs);
    await waitHealthy(`http://127.0.0.1:${p.web}/healthz`, 120_000, playLogs);
    measured.kubePlayToHealthySeconds = Math.round((Date.now() - t0) / 100) / 10;

    // Sandbox sign-in and an API read, through the console's pass-through to the admin API's Service name.
    const web = `http://127.0.0.1:${p.web}`;
    const login = await fetch(`${web}/auth/sandbox-login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"role":"admin"}' });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const me = await fetch(`${web}/auth/me`, { headers: { cookie } });
    expect(await me.json()).toMatchObject({ role: 'admin', sandbox: true });
    const members = await fetch(`${web}/api/members?range=[0,9]`, { headers: { cookie } });
    expect(members.status).toBe(200);

    // A manual run from the console: the admin API creates the Job from the chart's CronJob, the Job's pod
    // (the batch image) runs and records the run, and the console shows it finished.
    const csrf = /et_csrf=([^;]+)/.exec(cookie)?.[1] ?? '';
    const started = await fetch(`${web}/api/batches`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: '{}' });
    expect(started.status, await started.clone().text()).toBe(202);
    const run = (await started.json()) as { id: string; jobName: string };
    const cronJobName = find(objects, 'CronJob', '-batch').metadata.name;
    expect(run.jobName.startsWith(cronJobName.slice(0, 30))).toBe(true);
    const runStarted = Date.now();
    const until = runStarted + 240_000;
    let shown: { status: string; trigger: string; jobName: string } = { status: 'running', trigger: '', jobName: '' };
    while (shown.status === 'running' && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      shown = (await (await fetch(`${web}/api/batches/${run.id}`, { headers: { cookie } })).json()) as typeof shown;
    }
    expect(shown, `${lastJobLog}\n${await playLogs()}`).toMatchObject({ status: 'succeeded', trigger: 'manual', jobName: run.jobName });
    measured.manualRunSeconds = Math.round((Date.now() - runStarted) / 100) / 10;
    const job = k8s!.store.get('jobs', NAMESPACE, run.jobName)!;
    expect(job.metadata!.annotations).toMatchObject({ 'cronjob.kubernetes.io/instantiate': 'manual', 'engagement-tracker.io/run-id': run.id });
    expect((job.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]!.image).toBe(playRef('batch-job'));
    await expect.poll(() => (k8s!.store.get('jobs', NAMESPACE, run.jobName)!.status as { succeeded?: number } | undefined)?.succeeded, { timeout: 30_000 }).toBe(1);
    expect(JSON.parse(lastJobLog.trim().split('\n').pop()!)).toMatchObject({ runId: run.id, status: 'succeeded' });

    // Each container runs as the chart says: uid 10001, read-only root, no capability added.
    for (const pod of playPodNames(playable)) {
      const info = JSON.parse((await podman(['pod', 'inspect', pod])).stdout) as { Containers: Array<{ Name: string }> };
      for (const c of info.Containers.filter((x) => !x.Name.endsWith('-infra'))) {
        const [inspect] = JSON.parse((await podman(['inspect', c.Name])).stdout) as Array<{ Config: { User: string }; HostConfig: { ReadonlyRootfs: boolean; CapAdd: string[] | null } }>;
        expect(inspect!.Config.User, c.Name).toMatch(/^10001/);
        expect(inspect!.HostConfig.ReadonlyRootfs, c.Name).toBe(true);
        expect(inspect!.HostConfig.CapAdd ?? [], c.Name).toEqual([]);
      }
    }

    await podman(['kube', 'down', manifest], { cwd: dir });
    manifest = '';
    const after = await leftovers(prefix);
    expect(after.pods).toEqual([]);
    // The only container of this run left is the Redis outside the play; every pod's emptyDir volume is gone.
    expect(after.containers).toEqual([redisContainer]);
    expect(after.volumes).toEqual([]);
  });
});
