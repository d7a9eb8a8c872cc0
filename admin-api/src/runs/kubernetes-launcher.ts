import { readFileSync } from 'node:fs';
import { ApiException, BatchV1Api, KubeConfig } from '@kubernetes/client-node';
import { AppError, type Logger } from '@engagement-tracker/core';
import { jobFromCronJob, manualJobName } from './job-spec';
import { runEnv, type BatchLauncher } from './launcher';

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** In-cluster config inside a pod, otherwise KUBECONFIG / ~/.kube/config. */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

/** KUBE_NAMESPACE, else the pod's own namespace, else the kubeconfig context's, else default. */
export function resolveNamespace(kc: KubeConfig, configured?: string): string {
  if (configured) return configured;
  try {
    return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim();
  } catch {
    return kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  }
}

export function isInCluster(): boolean {
  return Boolean(process.env.KUBERNETES_SERVICE_HOST);
}

/** A manual run is a Job created from the batch CronJob, like `kubectl create job --from=cronjob/...`. */
export class KubernetesLauncher implements BatchLauncher {
  readonly kind = 'kubernetes' as const;
  private readonly batch: BatchV1Api;

  constructor(
    kc: KubeConfig,
    readonly namespace: string,
    readonly cronJobName: string,
    private readonly log: Logger,
  ) {
    this.batch = kc.makeApiClient(BatchV1Api);
  }

  jobNameFor(runId: string): string {
    return manualJobName(this.cronJobName, runId);
  }

  async launch(run: { runId: string; jobName: string }): Promise<void> {
    try {
      const cronJob = await this.batch.readNamespacedCronJob({ name: this.cronJobName, namespace: this.namespace });
      const body = jobFromCronJob(cronJob, run.jobName, runEnv(run));
      await this.batch.createNamespacedJob({ namespace: this.namespace, body });
      this.log.info({ runId: run.runId, job: run.jobName, namespace: this.namespace }, 'created manual batch Job');
    } catch (err) {
      throw kubeError(err, `${this.namespace}/${this.cronJobName}`);
    }
  }

  async close(): Promise<void> {}
}

/** Turn Kubernetes API errors into messages an operator can act on. */
export function kubeError(err: unknown, what: string): AppError {
  if (err instanceof ApiException) {
    if (err.code === 404) return new AppError(`The batch CronJob ${what} does not exist. Install the chart or set BATCH_CRONJOB_NAME / KUBE_NAMESPACE.`, 'cronjob_missing', 503);
    if (err.code === 401 || err.code === 403) return new AppError(`The admin API's service account may not create Jobs from ${what} (RBAC: get cronjobs; create, get, list, watch jobs).`, 'kube_forbidden', 503);
    if (err.code === 409) return new AppError('A Job with this name already exists; try again.', 'job_exists', 409);
    return new AppError(`The Kubernetes API refused the request (HTTP ${err.code}).`, 'kube_error', 502);
  }
  return new AppError(`Cannot reach the Kubernetes API: ${err instanceof Error ? err.message : String(err)}`, 'kube_unreachable', 503);
}
