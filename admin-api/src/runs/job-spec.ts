import type { V1CronJob, V1EnvVar, V1Job, V1Pod } from '@kubernetes/client-node';

export const INSTANTIATE_ANNOTATION = 'cronjob.kubernetes.io/instantiate';
export const RUN_ID_ANNOTATION = 'engagement-tracker.io/run-id';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

/** A Job name (<= 52 chars, DNS-1123) for a manual run of the CronJob. */
export function manualJobName(cronJobName: string, runId: string): string {
  const suffix = `-manual-${runId.slice(-6).toLowerCase().replace(/[^a-z0-9]/g, '0')}`;
  return `${cronJobName.slice(0, 52 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/**
 * The Job `kubectl create job NAME --from=cronjob/CRONJOB` builds: the jobTemplate's labels,
 * annotations and spec copied, `cronjob.kubernetes.io/instantiate: manual`, and a controller owner
 * reference to the CronJob (no blockOwnerDeletion, as kubectl). On top of kubectl: the run id
 * annotation and the run env (BATCH_TRIGGER, JOB_NAME, BATCH_RUN_ID) on every container that does
 * not set them already.
 */
export function jobFromCronJob(cronJob: V1CronJob, name: string, env: Record<string, string>): V1Job {
  const template = structuredClone(cronJob.spec?.jobTemplate ?? { spec: { template: {} } });
  const spec = template.spec ?? { template: {} };
  for (const c of spec.template.spec?.containers ?? []) {
    const have = new Set((c.env ?? []).map((e) => e.name));
    const extra: V1EnvVar[] = Object.entries(env).filter(([k]) => !have.has(k)).map(([k, value]) => ({ name: k, value }));
    c.env = [...(c.env ?? []), ...extra];
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      labels: { ...(template.metadata?.labels ?? {}) },
      annotations: {
        [INSTANTIATE_ANNOTATION]: 'manual',
        ...(template.metadata?.annotations ?? {}),
        ...(env.BATCH_RUN_ID ? { [RUN_ID_ANNOTATION]: env.BATCH_RUN_ID } : {}),
      },
      ownerReferences: [
        { apiVersion: 'batch/v1', kind: 'CronJob', name: cronJob.metadata?.name ?? '', uid: cronJob.metadata?.uid ?? '', controller: true },
      ],
    },
    spec,
  };
}

export type JobOutcome =
  | { state: 'running' }
  | { state: 'succeeded'; at?: Date }
  | { state: 'failed'; reason: string; message: string; at?: Date };

/** What a Job's status says: finished (Complete/Failed condition) or not yet. */
export function jobOutcome(job: V1Job): JobOutcome {
  const conds = job.status?.conditions ?? [];
  const failed = conds.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failed) return { state: 'failed', reason: failed.reason ?? 'Failed', message: failed.message ?? '', at: failed.lastTransitionTime };
  const complete = conds.find((c) => c.type === 'Complete' && c.status === 'True');
  if (complete) return { state: 'succeeded', at: job.status?.completionTime ?? complete.lastTransitionTime };
  return { state: 'running' };
}

const NOTABLE_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'CrashLoopBackOff', 'RunContainerError']);

/** Why a pod's containers are not running fine: OOMKilled (exit 137), ImagePullBackOff, Error (exit 1)... */
export function podProblems(pod: V1Pod): string[] {
  const out: string[] = [];
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    const t = s.state?.terminated ?? s.lastState?.terminated;
    const w = s.state?.waiting;
    if (t && (t.exitCode !== 0 || t.reason === 'OOMKilled')) {
      out.push(`container ${s.name} ${t.reason ?? 'terminated'} (exit code ${t.exitCode})${t.message ? `: ${t.message}` : ''}`);
    } else if (w?.reason && NOTABLE_WAITING.has(w.reason)) {
      out.push(`container ${s.name} ${w.reason}${w.message ? `: ${w.message}` : ''}`);
    }
  }
  if (!statuses.length && pod.status?.reason) out.push(`pod ${pod.status.reason}${pod.status.message ? `: ${pod.status.message}` : ''}`);
  return out;
}

/** Is this Job one of our batch runs (created by, or from, the batch CronJob)? */
export function isBatchJob(job: V1Job, cronJobName: string): boolean {
  return (job.metadata?.ownerReferences ?? []).some((o) => o.kind === 'CronJob' && o.name === cronJobName);
}
