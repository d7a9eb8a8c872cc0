import { randomBytes } from 'node:crypto';
import type { KubeObject, ObjectStore } from './store';

export interface ContainerOutcome {
  /** e.g. { reason: 'OOMKilled', exitCode: 137 } or { reason: 'Error', exitCode: 1 } */
  terminated?: { reason: string; exitCode: number; message?: string };
  /** e.g. { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } */
  waiting?: { reason: string; message?: string };
}

export interface FailOptions {
  /** The Job condition reason: BackoffLimitExceeded (default), DeadlineExceeded, PodFailurePolicy... */
  reason?: string;
  message?: string;
  /** What the pod's container shows (OOMKilled, image pull error...). */
  container?: ContainerOutcome;
}

const now = () => new Date().toISOString();
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

/**
 * Plays the Job controller and the kubelet for the double: a created Job gets a Pod that runs;
 * tests (or the sandbox stack) then complete or fail it, with the pod-level reason a real cluster
 * would show (OOMKilled, ImagePullBackOff, DeadlineExceeded).
 */
export class JobController {
  constructor(
    private readonly store: ObjectStore,
    private readonly autoStart: boolean,
  ) {}

  /** Called by the server after a Job was created; returns the Job as the controller left it. */
  onCreated(job: KubeObject): KubeObject | undefined {
    if (!this.autoStart) return undefined;
    return this.start(job.metadata!.name!, job.metadata!.namespace!);
  }

  onDeleted(namespace: string, jobName: string): void {
    for (const p of this.podsOf(namespace, jobName)) this.store.delete('pods', namespace, p.metadata!.name!);
  }

  /** Mark the Job active and give it a Running pod. */
  start(name: string, namespace = this.namespaceOf(name)): KubeObject | undefined {
    const job = this.store.get('jobs', namespace, name);
    if (!job) return undefined;
    const template = (job.spec?.template ?? {}) as KubeObject;
    const containers = ((template.spec?.containers as Array<{ name: string; image?: string }>) ?? [{ name: 'main' }]).map((c) => c.name);
    const uid = job.metadata!.uid!;
    this.store.create('pods', namespace, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `${name}-${randomBytes(3).toString('hex').slice(0, 5)}`,
        labels: { ...(template.metadata?.labels ?? {}), [JOB_NAME_LABEL]: name, 'job-name': name, 'controller-uid': uid, 'batch.kubernetes.io/controller-uid': uid },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: template.spec ?? {},
      status: {
        phase: 'Running',
        startTime: now(),
        containerStatuses: containers.map((c) => ({ name: c, ready: true, restartCount: 0, state: { running: { startedAt: now() } } })),
      },
    });
    return this.store.update('jobs', namespace, name, (j) => {
      j.status = { ...(j.status ?? {}), active: 1, ready: 1, startTime: now() };
    });
  }

  /** The pod's container ends with exit 0 and the Job completes. */
  complete(name: string, namespace = this.namespaceOf(name)): KubeObject | undefined {
    this.setPods(namespace, name, 'Succeeded', { terminated: { reason: 'Completed', exitCode: 0 } });
    return this.store.update('jobs', namespace, name, (j) => {
      const t = now();
      j.status = {
        ...(j.status ?? {}),
        active: 0,
        ready: 0,
        succeeded: 1,
        completionTime: t,
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: t, lastTransitionTime: t },
          { type: 'Complete', status: 'True', lastProbeTime: t, lastTransitionTime: t },
        ],
      };
    });
  }

  /** The Job fails (backoff limit, deadline...), its pod showing what happened. */
  fail(name: string, opts: FailOptions = {}, namespace = this.namespaceOf(name)): KubeObject | undefined {
    const reason = opts.reason ?? 'BackoffLimitExceeded';
    const message = opts.message ?? (reason === 'DeadlineExceeded' ? 'Job was active longer than specified deadline' : 'Job has reached the specified backoff limit');
    const container = opts.container ?? (reason === 'DeadlineExceeded' ? undefined : { terminated: { reason: 'Error', exitCode: 1 } });
    if (container) this.setPods(namespace, name, container.terminated ? 'Failed' : 'Pending', container);
    if (reason === 'DeadlineExceeded') this.onDeleted(namespace, name); // the controller kills active pods
    return this.store.update('jobs', namespace, name, (j) => {
      const t = now();
      j.status = {
        ...(j.status ?? {}),
        active: 0,
        ready: 0,
        failed: 1,
        conditions: [
          { type: 'FailureTarget', status: 'True', reason, message, lastProbeTime: t, lastTransitionTime: t },
          { type: 'Failed', status: 'True', reason, message, lastProbeTime: t, lastTransitionTime: t },
        ],
      };
    });
  }

  /** Change what the Job's pods show without ending the Job (e.g. stuck in ImagePullBackOff). */
  setContainer(name: string, outcome: ContainerOutcome, namespace = this.namespaceOf(name)): void {
    this.setPods(namespace, name, outcome.terminated ? 'Failed' : 'Pending', outcome);
  }

  podsOf(namespace: string, jobName: string): KubeObject[] {
    return this.store.list('pods', namespace).filter((p) => p.metadata?.labels?.[JOB_NAME_LABEL] === jobName);
  }

  private setPods(namespace: string, jobName: string, phase: string, outcome: ContainerOutcome): void {
    for (const p of this.podsOf(namespace, jobName)) {
      this.store.update('pods', namespace, p.metadata!.name!, (pod) => {
        const statuses = ((pod.status?.containerStatuses as Array<{ name: string }>) ?? [{ name: 'main' }]).map((c) => ({
          name: c.name,
          ready: false,
          restartCount: 0,
          state: outcome.terminated
            ? { terminated: { ...outcome.terminated, startedAt: now(), finishedAt: now() } }
            : { waiting: { ...outcome.waiting } },
        }));
        pod.status = { ...(pod.status ?? {}), phase, containerStatuses: statuses };
      });
    }
  }

  private namespaceOf(name: string): string {
    return this.store.list('jobs').find((j) => j.metadata?.name === name)?.metadata?.namespace ?? 'default';
  }
}
