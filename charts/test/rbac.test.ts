/**
 * RBAC proven, not assumed: the admin API's Kubernetes launcher and Job watcher run against the
 * Kubernetes API double holding the chart's rendered CronJob; every request they make must be allowed
 * by the chart's Role, and the Role must grant nothing they never use. The Job a manual run creates is
 * compared with the one `kubectl create job --from=cronjob/...` (the real kubectl) creates.
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createStores, SANDBOX_ENCRYPTION_KEY, type Stores } from '@engagement-tracker/core';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import { startKubernetesDouble, type KubeObject, type KubernetesDouble, type RecordedRequest } from '@engagement-tracker/sandbox/kubernetes';
import { JobWatcher } from '../../admin-api/src/runs/job-watcher';
import { KubernetesLauncher } from '../../admin-api/src/runs/kubernetes-launcher';
import { ManualRuns } from '../../admin-api/src/runs/manual-runs';
import { assertTools, helmTemplate, KUBECTL, scenario, type K8sObject } from './support/helm';
import { find } from './support/pods';
import { run } from './support/podman';

const NS = 'engagement';
const log = createLogger('rbac-test', 'silent');
let objects: K8sObject[];
let cronJobName: string;
let redis: TestRedisServer;
let stores: Stores;
let k8s: KubernetesDouble;
let discovery: Server;
let dir: string;

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** The RBAC attributes of one API request (verb, group, resource, name), as the API server derives them. */
function attributes(r: RecordedRequest): { verb: string; group: string; resource: string; name?: string } {
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/namespaces\/[^/]+\/([^/]+)(?:\/([^/]+))?$/.exec(r.path);
  if (!m) throw new Error(`unexpected request path ${r.path}`);
  const [, group = '', resource = '', name] = m;
  const watch = r.query.watch === 'true' || r.query.watch === '1';
  const verb = r.method === 'POST' ? 'create' : r.method === 'DELETE' ? 'delete' : r.method === 'PATCH' ? 'patch' : r.method === 'PUT' ? 'update' : name ? 'get' : watch ? 'watch' : 'list';
  return { verb, group, resource, ...(name ? { name } : {}) };
}

const allows = (rules: Rule[], a: ReturnType<typeof attributes>) =>
  rules.some((rule) => rule.apiGroups.includes(a.group) && rule.resources.includes(a.resource) && rule.verbs.includes(a.verb) && (!rule.resourceNames || (a.name !== undefined && rule.resourceNames.includes(a.name))));

async function waitFor<T>(probe: () => Promise<T> | T, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * kubectl needs API discovery before it can resolve `cronjob/NAME`; the double does not serve it, so a
 * small front answers the discovery documents for batch/v1 and v1 and passes everything else through,
 * with the double's token (kubectl does not send a bearer token over plain http).
 */
async function startDiscoveryFront(target: URL, token: string): Promise<string> {
  const resources = {
    '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
    '/apis': { kind: 'APIGroupList', apiVersion: 'v1', groups: [{ name: 'batch', versions: [{ groupVersion: 'batch/v1', version: 'v1' }], preferredVersion: { groupVersion: 'batch/v1', version: 'v1' } }] },
    '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch'] }] },
    '/apis/batch/v1': {
      kind: 'APIResourceList',
      groupVersion: 'batch/v1',
      resources: [
        { name: 'cronjobs', singularName: 'cronjob', namespaced: true, kind: 'CronJob', verbs: ['create', 'delete', 'get', 'list', 'watch'], shortNames: ['cj'] },
        { name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', verbs: ['create', 'delete', 'get', 'list', 'watch'] },
      ],
    },
  } as Record<string, unknown>;
  discovery = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (resources[path]) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(resources[path]));
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, authorization: `Bearer ${token}` } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((r) => discovery.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(discovery.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  assertTools();
  objects = await helmTemplate({ valuesFiles: [scenario('defaults')], namespace: NS });
  const cronJob = find(objects, 'CronJob', '-batch');
  cronJobName = cronJob.metadata.name;
  redis = await startRedisServer({ aof: false });
  stores = createStores(redis.client(), { prefix: `t${randomBytes(4).toString('hex')}`, encryptionKey: SANDBOX_ENCRYPTION_KEY });
  k8s = await startKubernetesDouble({ seed: [{ ...cronJob, metadata: { ...cronJob.metadata, namespace: NS } } as KubeObject] });
  dir = mkdtempSync(join(tmpdir(), 'et-rbac-'));
}, 120_000);

afterAll(async () => {
  await new Promise((r) => (discovery ? discovery.close(r) : r(undefined)));
  await k8s?.close();
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the admin API service account (Role rendered by the chart)', () => {
  it('allows every request the launcher and the Job watcher make, and grants nothing they never use', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(k8s.kubeconfig(NS));
    const launcher = new KubernetesLauncher(kc, NS, cronJobName, log);
    const runs = new ManualRuns({ stores, launcher, log, guardMs: 60_000 });
    const watcher = new JobWatcher({ kc, namespace: NS, cronJobName, stores, log, onRunEnded: (id) => runs.release(id), restartDelayMs: 50 });
    try {
      await watcher.start();
      // A manual run that succeeds, then one whose pod is OOMKilled (the watcher records it).
      const ok = await runs.start('discord:1');
      k8s.jobs.complete(ok.jobName!, NS);
      await waitFor(() => redis.client().get(stores.keys.manualStartLock()), (v) => v === null);
      const failed = await runs.start('discord:1');
      k8s.jobs.fail(failed.jobName!, { container: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }, NS);
      await waitFor(() => stores.batches.get(failed.id), (r) => r?.status === 'failed');
      // A dropped watch is resumed (list + watch again).
      k8s.dropWatches();
      await waitFor(() => k8s.openWatches(), (n) => n >= 2);
    } finally {
      runs.close();
      await watcher.stop();
    }

    const sa = find(objects, 'ServiceAccount', '-admin-api');
    const role = find(objects, 'Role', '-admin-api') as K8sObject & { rules: Rule[] };
    const binding = find(objects, 'RoleBinding', '-admin-api') as K8sObject & { roleRef: { name: string }; subjects: Array<{ kind: string; name: string; namespace: string }> };
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: NS }]);
    const deployment = find(objects, 'Deployment', '-admin-api').spec as { template: { spec: { serviceAccountName: string } } };
    expect(deployment.template.spec.serviceAccountName).toBe(sa.metadata.name);

    const made = k8s.requests.map(attributes);
    expect(made.length).toBeGreaterThan(5);
    for (const a of made) expect(allows(role.rules, a), `Role refuses ${JSON.stringify(a)}`).toBe(true);
    // Least privilege: every (group, resource, verb) the Role grants was used.
    const used = new Set(made.map((a) => `${a.group}/${a.resource}/${a.verb}`));
    for (const rule of role.rules) for (const g of rule.apiGroups) for (const r of rule.resources) for (const v of rule.verbs) expect(used.has(`${g}/${r}/${v}`), `Role grants ${g}/${r}/${v}, never used`).toBe(true);
    // The CronJob read is limited to the chart's CronJob.
    expect(role.rules.find((r) => r.resources.includes('cronjobs'))?.resourceNames).toEqual([cronJobName]);
  });

  it('a manual run creates the same Job as `kubectl create job --from=cronjob/...`', async () => {
    const front = await startDiscoveryFront(new URL(k8s.url), k8s.token);
    const kubeconfig = join(dir, 'kubeconfig.json');
    const cfg = JSON.parse(k8s.kubeconfig(NS)) as { clusters: Array<{ cluster: { server: string } }> };
    cfg.clusters[0]!.cluster.server = front;
    writeFileSync(kubeconfig, JSON.stringify(cfg));
    // The Job kubectl builds from the CronJob it reads (client dry run: kubectl would POST it as protobuf).
    const out = await run(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), '-n', NS, 'create', 'job', 'by-kubectl', `--from=cronjob/${cronJobName}`, '--dry-run=client', '-o', 'json']);
    const byKubectl = JSON.parse(out.stdout) as KubeObject;

    const kc = new KubeConfig();
    kc.loadFromString(k8s.kubeconfig(NS));
    const runs = new ManualRuns({ stores, launcher: new KubernetesLauncher(kc, NS, cronJobName, log), log, guardMs: 60_000 });
    const mark = k8s.requests.length;
    const started = await runs.start('discord:2').finally(() => runs.close());
    const byConsole = k8s.requests.slice(mark).find((r) => r.method === 'POST')!.body as KubeObject;

    const cj = k8s.store.get('cronjobs', NS, cronJobName)!;
    const owner = { apiVersion: 'batch/v1', kind: 'CronJob', name: cronJobName, uid: cj.metadata!.uid, controller: true };
    expect(byKubectl.metadata!.ownerReferences).toEqual([owner]);
    expect(byConsole.metadata!.ownerReferences).toEqual([owner]);
    expect(byKubectl.metadata!.annotations).toEqual({ 'cronjob.kubernetes.io/instantiate': 'manual' });
    expect(byConsole.metadata!.annotations).toEqual({ 'cronjob.kubernetes.io/instantiate': 'manual', 'engagement-tracker.io/run-id': started.id });
    expect(byConsole.metadata!.labels).toEqual(byKubectl.metadata!.labels);
    // Same Job spec, except the run's own env (trigger and run id) the console adds to the container.
    type Spec = { template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string }> }> } } };
    const strip = (spec: Spec) => {
      const copy = structuredClone(spec);
      for (const c of copy.template.spec.containers) c.env = c.env.filter((e) => !['BATCH_RUN_ID'].includes(e.name));
      return copy;
    };
    expect(strip(byConsole.spec as Spec)).toEqual(strip(byKubectl.spec as Spec));
    const env = (byConsole.spec as Spec).template.spec.containers[0]!.env;
    expect(env.filter((e) => e.name === 'BATCH_TRIGGER')).toEqual([{ name: 'BATCH_TRIGGER', value: 'schedule' }]);
  });
});
