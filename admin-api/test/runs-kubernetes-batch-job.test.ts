import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type TestRedisServer } from '@engagement-tracker/core/testing';
import type { Stores } from '@engagement-tracker/core';
import { batchCronJob, processExecutor, startKubernetesDouble, type KubernetesDouble } from '@engagement-tracker/sandbox/kubernetes';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { JobWatcher } from '../src/runs/job-watcher';
import { KubernetesLauncher } from '../src/runs/kubernetes-launcher';
import { repoRoot } from '../src/runs/local-launcher';
import { ManualRuns } from '../src/runs/manual-runs';
import { silentLog, testStores, waitFor } from './helpers';

const NS = 'et';
let redis: TestRedisServer;
let x: XDouble;
let k8s: KubernetesDouble;
let stores: Stores;
let runs: ManualRuns;
let watcher: JobWatcher;

beforeAll(async () => {
  redis = await startRedisServer({ aof: false });
  x = await startXDouble();
  stores = testStores(redis.client());
  const root = repoRoot();
  // The double runs each Job's container as the real batch program, with the container's env.
  k8s = await startKubernetesDouble({
    seed: [batchCronJob({ name: 'et-batch', namespace: NS })],
    executor: processExecutor({
      command: [join(root, 'node_modules', '.bin', 'tsx'), 'batch-job/src/main.ts', 'run'],
      cwd: root,
      stdio: 'ignore',
      overrideEnv: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: stores.keys.prefix, SANDBOX: 'true', TWITTER_API_BASE_URL: x.url, LOG_LEVEL: 'silent', OTEL_SDK_DISABLED: 'true' },
    }),
  });
  const kc = new KubeConfig();
  kc.loadFromString(k8s.kubeconfig(NS));
  runs = new ManualRuns({ stores, launcher: new KubernetesLauncher(kc, NS, 'et-batch', silentLog), log: silentLog, guardMs: 60_000 });
  watcher = new JobWatcher({ kc, namespace: NS, cronJobName: 'et-batch', stores, log: silentLog, onRunEnded: (id) => runs.release(id) });
  await watcher.start();
});
afterAll(async () => {
  runs?.close();
  await watcher?.stop();
  await k8s?.close();
  await x?.close();
  await redis?.stop();
});

describe('a manual run through Kubernetes, end to end', () => {
  it('creates the Job, the real batch program runs in it, and one succeeded manual run remains', async () => {
    const started = await runs.start('discord:9');
    await waitFor(() => k8s.store.get('jobs', NS, started.jobName!)?.status?.succeeded, (v) => v === 1, 120_000);
    // The watcher hears of the finished Job over its watch stream; on a loaded machine that can lag
    // the Job's status, so wait for the run it resolves to, not just for the watcher's queue.
    const run = await waitFor(
      async () => {
        await watcher.idle();
        return stores.batches.get(started.id);
      },
      (r) => r?.status !== 'running',
      60_000,
    );
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual', jobName: started.jobName });
    // The program in the pod recorded the run under the id the admin API gave it (BATCH_RUN_ID): one record.
    expect((await stores.batches.list({ limit: 50 })).items.filter((r) => r.jobName === started.jobName).map((r) => r.id)).toEqual([started.id]);
    await waitFor(() => redis.client().get(stores.keys.manualStartLock()), (v) => v === null, 30_000);
  }, 240_000);
});
