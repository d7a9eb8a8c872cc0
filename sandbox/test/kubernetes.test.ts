import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, makeInformer, Watch, type V1Job } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchCronJob, startKubernetesDouble, type KubernetesDouble } from '@engagement-tracker/sandbox/kubernetes';

const NS = 'et';
let k8s: KubernetesDouble;
let kc: KubeConfig;
let batch: BatchV1Api;

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

beforeAll(async () => {
  k8s = await startKubernetesDouble({ seed: [batchCronJob({ name: 'et-batch', namespace: NS })] });
  kc = new KubeConfig();
  kc.loadFromString(k8s.kubeconfig(NS));
  batch = kc.makeApiClient(BatchV1Api);
});
afterAll(async () => {
  await k8s.close();
});

describe('Kubernetes API double with the real @kubernetes/client-node', () => {
  it('serves the seeded CronJob and 404s as a Status the client turns into ApiException', async () => {
    const cj = await batch.readNamespacedCronJob({ name: 'et-batch', namespace: NS });
    expect(cj.spec?.jobTemplate.spec?.template.spec?.containers[0]?.name).toBe('batch-job');
    const err = await batch.readNamespacedCronJob({ name: 'nope', namespace: NS }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<unknown>).code).toBe(404);
  });

  it('refuses requests without the bearer token', async () => {
    const bad = new KubeConfig();
    bad.loadFromOptions({
      clusters: [{ name: 'c', server: k8s.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'wrong' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const err = await bad.makeApiClient(BatchV1Api).listNamespacedJob({ namespace: NS }).catch((e: unknown) => e);
    expect((err as ApiException<unknown>).code).toBe(401);
  });

  it('creates Jobs (409 on a taken name), lists by label, and the controller gives each a pod', async () => {
    const body: V1Job = { metadata: { name: 'job-a', labels: { app: 'x' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } } } };
    const created = await batch.createNamespacedJob({ namespace: NS, body });
    expect(created.metadata?.uid).toBeTruthy();
    expect(created.status?.active).toBe(1);
    const dup = await batch.createNamespacedJob({ namespace: NS, body }).catch((e: unknown) => e);
    expect((dup as ApiException<unknown>).code).toBe(409);
    await batch.createNamespacedJob({ namespace: NS, body: { ...body, metadata: { name: 'job-b', labels: { app: 'y' } } } });
    const listed = await batch.listNamespacedJob({ namespace: NS, labelSelector: 'app=x' });
    expect(listed.items.map((j) => j.metadata?.name)).toEqual(['job-a']);
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS, labelSelector: 'batch.kubernetes.io/job-name=job-a' });
    expect(pods.items).toHaveLength(1);
    expect(pods.items[0]?.status?.phase).toBe('Running');
  });

  it('streams watch events and resumes from a resourceVersion', async () => {
    const seen: Array<[string, string | undefined, string | undefined]> = [];
    const list = await batch.listNamespacedJob({ namespace: NS });
    const rv = list.metadata?.resourceVersion;
    const ctl = await new Watch(kc).watch(`/apis/batch/v1/namespaces/${NS}/jobs`, { resourceVersion: rv }, (type, obj: V1Job) => {
      seen.push([type, obj.metadata?.name, obj.status?.conditions?.[1]?.reason]);
    }, () => {});
    await waitFor(() => k8s.openWatches() === 1);
    await batch.createNamespacedJob({ namespace: NS, body: { metadata: { name: 'job-w' }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } } });
    k8s.jobs.fail('job-w', { container: { terminated: { reason: 'OOMKilled', exitCode: 137 } } });
    await waitFor(() => seen.some(([t, n, r]) => t === 'MODIFIED' && n === 'job-w' && r === 'BackoffLimitExceeded'));
    expect(seen[0]).toEqual(['ADDED', 'job-w', undefined]);
    ctl.abort();
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS, labelSelector: 'job-name=job-w' });
    expect(pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe('OOMKilled');
  });

  it('keeps an informer in sync across a dropped watch', async () => {
    const path = `/apis/batch/v1/namespaces/${NS}/jobs`;
    const informer = makeInformer<V1Job>(kc, path, () => batch.listNamespacedJob({ namespace: NS }));
    const updates: string[] = [];
    informer.on('update', (j) => updates.push(`${j.metadata?.name}:${j.status?.succeeded ?? 0}`));
    await informer.start();
    await waitFor(() => k8s.openWatches() >= 1);
    expect(informer.list(NS).map((j) => j.metadata?.name)).toContain('job-a');
    k8s.dropWatches();
    await waitFor(() => k8s.openWatches() >= 1);
    k8s.jobs.complete('job-a');
    await waitFor(() => updates.includes('job-a:1'));
    await batch.deleteNamespacedJob({ name: 'job-b', namespace: NS });
    await waitFor(() => !informer.list(NS).some((j) => j.metadata?.name === 'job-b'));
    await informer.stop();
  });
});

describe('Kubernetes double running Jobs through an executor', () => {
  it('completes a Job whose workload exits 0 and fails one that is OOMKilled', async () => {
    const seen: string[] = [];
    const double = await startKubernetesDouble({
      seed: [batchCronJob({ name: 'et-batch', namespace: NS })],
      executor: async (job) => {
        seen.push(job.metadata!.name!);
        return job.metadata!.name === 'ok' ? { exitCode: 0 } : { exitCode: 137 };
      },
    });
    try {
      const conf = new KubeConfig();
      conf.loadFromString(double.kubeconfig(NS));
      const api = conf.makeApiClient(BatchV1Api);
      const body = (name: string): V1Job => ({ metadata: { name }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } });
      await api.createNamespacedJob({ namespace: NS, body: body('ok') });
      await api.createNamespacedJob({ namespace: NS, body: body('oom') });
      await waitFor(() => double.store.get('jobs', NS, 'oom')?.status?.failed === 1 && double.store.get('jobs', NS, 'ok')?.status?.succeeded === 1);
      expect(seen.sort()).toEqual(['ok', 'oom']);
      const pods = await conf.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS, labelSelector: 'job-name=oom' });
      expect(pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe('OOMKilled');
    } finally {
      await double.close();
    }
  });
});
