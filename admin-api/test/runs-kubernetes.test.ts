import { BatchV1Api, KubeConfig, type V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import type { Stores } from '@engagement-tracker/core';
import { batchCronJob, startKubernetesDouble, type KubernetesDouble } from '@engagement-tracker/sandbox/kubernetes';
import { KubernetesLauncher } from '../src/runs/kubernetes-launcher';
import { JobWatcher } from '../src/runs/job-watcher';
import { ManualRuns } from '../src/runs/manual-runs';
import { silentLog, testStores, waitFor } from './helpers';

const NS = 'tracker';
const CRON = 'et-batch';
let redis: TestRedisServer;
let stores: Stores;
let k8s: KubernetesDouble;
let kc: KubeConfig;
let runs: ManualRuns;
let watcher: JobWatcher;

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  stores = testStores(redis.client());
  k8s = await startKubernetesDouble({ seed: [batchCronJob({ name: CRON, namespace: NS })] });
  kc = new KubeConfig();
  kc.loadFromString(k8s.kubeconfig(NS));
  const launcher = new KubernetesLauncher(kc, NS, CRON, silentLog);
  runs = new ManualRuns({ stores, launcher, log: silentLog, guardMs: 60_000 });
  watcher = new JobWatcher({ kc, namespace: NS, cronJobName: CRON, stores, log: silentLog, onRunEnded: (id) => runs.release(id), restartDelayMs: 50 });
  await watcher.start();
});
afterAll(async () => {
  runs?.close();
  await watcher?.stop();
  await k8s?.close();
  await redis?.stop();
});

/** A Job as the CronJob controller itself would create it for a schedule. */
async function scheduledJob(name: string): Promise<void> {
  const cj = k8s.store.get('cronjobs', NS, CRON)!;
  const tpl = (cj.spec as { jobTemplate: { metadata: Record<string, unknown>; spec: Record<string, unknown> } }).jobTemplate;
  await kc.makeApiClient(BatchV1Api).createNamespacedJob({
    namespace: NS,
    body: { metadata: { ...tpl.metadata, name, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: CRON, uid: cj.metadata!.uid!, controller: true, blockOwnerDeletion: true }] }, spec: tpl.spec } as unknown as V1Job,
  });
}

describe('manual runs on Kubernetes and the Job watcher (real client, API double)', () => {
  it('creates a Job from the CronJob exactly like kubectl create job --from, plus the run env', async () => {
    const run = await runs.start('discord:42');
    expect(run).toMatchObject({ status: 'running', trigger: 'manual' });
    const job = k8s.store.get('jobs', NS, run.jobName!)!;
    const cj = k8s.store.get('cronjobs', NS, CRON)!;
    expect(run.jobName).toMatch(/^et-batch-manual-[a-z0-9]{6}$/);
    expect(job.metadata?.annotations).toMatchObject({ 'cronjob.kubernetes.io/instantiate': 'manual', 'engagement-tracker/template': 'batch', 'engagement-tracker.io/run-id': run.id });
    expect(job.metadata?.labels).toEqual({ 'app.kubernetes.io/name': 'engagement-tracker', 'app.kubernetes.io/component': 'batch-job' });
    expect(job.metadata?.ownerReferences).toEqual([{ apiVersion: 'batch/v1', kind: 'CronJob', name: CRON, uid: cj.metadata!.uid, controller: true }]);
    const spec = job.spec as { backoffLimit: number; template: { spec: { containers: Array<{ env: Array<{ name: string; value?: string; valueFrom?: unknown }> }> } } };
    expect(spec.backoffLimit).toBe(1);
    const env = spec.template.spec.containers[0]!.env;
    expect(env.filter((e) => e.name === 'JOB_NAME')).toHaveLength(1); // the template's downward-API JOB_NAME is kept
    expect(env.find((e) => e.name === 'JOB_NAME')?.valueFrom).toBeTruthy();
    expect(env).toEqual(expect.arrayContaining([{ name: 'BATCH_TRIGGER', value: 'manual' }, { name: 'BATCH_RUN_ID', value: run.id }]));

    // A second start is refused while the first has not ended.
    await expect(runs.start('discord:42')).rejects.toMatchObject({ status: 409 });

    // The pod is OOMKilled; the Job fails; the watcher records it and lets the next start through.
    k8s.jobs.fail(run.jobName!, { container: { terminated: { reason: 'OOMKilled', exitCode: 137 } } });
    const failed = await waitFor(() => stores.batches.get(run.id), (r) => r?.status === 'failed');
    expect(failed!.error).toMatch(/BackoffLimitExceeded/);
    expect(failed!.error).toMatch(/OOMKilled \(exit code 137\)/);
    await waitFor(() => redis.client().get(`${stores.keys.prefix}:lock:batch:manual-start`), (v) => v === null);
    const audit = await stores.audit.list({ filter: { action: 'batch.start' } });
    expect(audit.items[0]).toMatchObject({ actor: 'discord:42', target: run.id });
  });

  it('refuses while a run holds the batch lock and creates no Job', async () => {
    const before = k8s.store.list('jobs', NS).length;
    const lock = await stores.batches.acquireLock('run-x', 60_000);
    await expect(runs.start('discord:42')).rejects.toMatchObject({ status: 409, code: 'batch_running' });
    expect(k8s.store.list('jobs', NS)).toHaveLength(before);
    await stores.batches.releaseLock('run-x', lock!.fence);
  });

  it('records a scheduled Job that died before writing anything (image pull, then deadline) as a failed run', async () => {
    await scheduledJob('et-batch-29000001');
    k8s.jobs.setContainer('et-batch-29000001', { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "ghcr.io/example/engagement-tracker:typo"' } });
    await new Promise((r) => setTimeout(r, 100));
    k8s.jobs.fail('et-batch-29000001', { reason: 'DeadlineExceeded' });
    const run = await waitFor(() => stores.batches.findByJobName('et-batch-29000001'), (r) => r?.status === 'failed');
    expect(run).toMatchObject({ id: 'job-et-batch-29000001', trigger: 'schedule', status: 'failed' });
    expect(run!.error).toMatch(/DeadlineExceeded/);
    expect(run!.error).toMatch(/ImagePullBackOff/);
  });

  it("leaves a run's own final status alone, and fails a run the program left running when its Job completed", async () => {
    await scheduledJob('et-batch-29000002');
    const ok = await stores.batches.create({ trigger: 'schedule', jobName: 'et-batch-29000002' });
    await stores.batches.finish(ok.id, 'succeeded', { stats: { requests: 5 } });
    k8s.jobs.complete('et-batch-29000002');

    await scheduledJob('et-batch-29000003');
    const stuck = await stores.batches.create({ trigger: 'schedule', jobName: 'et-batch-29000003' });
    k8s.jobs.complete('et-batch-29000003');
    const failed = await waitFor(() => stores.batches.get(stuck.id), (r) => r?.status === 'failed');
    expect(failed!.error).toMatch(/never recorded/);
    await watcher.idle();
    expect(await stores.batches.get(ok.id)).toMatchObject({ status: 'succeeded', stats: { requests: 5 } });
  });

  it('ignores Jobs that are not batch runs, and keeps watching after the watch connection breaks', async () => {
    await kc.makeApiClient(BatchV1Api).createNamespacedJob({ namespace: NS, body: { metadata: { name: 'other-job' }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } } });
    k8s.jobs.fail('other-job');
    k8s.breakWatches();
    await waitFor(() => k8s.openWatches(), (n) => n >= 2);
    await scheduledJob('et-batch-29000004');
    k8s.jobs.fail('et-batch-29000004', { container: { terminated: { reason: 'Error', exitCode: 1 } } });
    const run = await waitFor(() => stores.batches.findByJobName('et-batch-29000004'), (r) => r?.status === 'failed');
    expect(run!.error).toMatch(/container batch-job Error \(exit code 1\)/);
    await watcher.idle();
    expect(await stores.batches.findByJobName('other-job')).toBeNull();
  });
});
