/**
 * A local stand-in for a cluster's API server, for trying the admin API's Kubernetes path:
 *   tsx sandbox/src/kubernetes/main.ts            (then start the admin API with the printed env)
 * Seeds the batch CronJob and runs every created Job as `tsx batch-job/src/main.ts run` with this
 * process's env (REDIS_URL, SANDBOX, ...), so manual runs really run and the Job watcher sees them end.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '@engagement-tracker/core';
import { batchCronJob } from './fixtures';
import { processExecutor } from './process-executor';
import { startKubernetesDouble } from './server';

const log = createLogger('kubernetes-double');
const root = resolve(import.meta.dirname, '..', '..', '..');
const namespace = process.env.KUBE_NAMESPACE ?? 'engagement-tracker';
const name = process.env.BATCH_CRONJOB_NAME ?? 'engagement-tracker-batch';
const double = await startKubernetesDouble({
  port: Number(process.env.KUBE_DOUBLE_PORT ?? 0),
  seed: [batchCronJob({ name, namespace })],
  executor: processExecutor({
    command: [join(root, 'node_modules', '.bin', 'tsx'), 'batch-job/src/main.ts', 'run'],
    cwd: root,
    overrideEnv: Object.fromEntries(['REDIS_URL', 'REDIS_KEY_PREFIX', 'SANDBOX', 'TOKEN_ENCRYPTION_KEY'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
  }),
});
const file = process.env.KUBECONFIG_OUT ?? join(root, '.data', 'kubeconfig.sandbox.json');
mkdirSync(join(file, '..'), { recursive: true });
writeFileSync(file, double.kubeconfig(namespace), { mode: 0o600 });
log.info({ url: double.url, kubeconfig: file, namespace, cronJob: name }, `Kubernetes double ready: start the admin API with BATCH_LAUNCHER=kubernetes KUBECONFIG=${file} KUBE_NAMESPACE=${namespace}`);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void double.close().then(() => process.exit(0)));
