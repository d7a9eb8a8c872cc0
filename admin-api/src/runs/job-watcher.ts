import { BatchV1Api, CoreV1Api, makeInformer, type Informer, type KubeConfig, type ObjectCache, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { JOB_DEATHS } from '../metrics/batch-metrics';
import type { BatchRun, Logger, Stores } from '@engagement-tracker/core';
import { INSTANTIATE_ANNOTATION, isBatchJob, JOB_NAME_LABEL, jobOutcome, podProblems, RUN_ID_ANNOTATION } from './job-spec';

export interface JobWatcherOptions {
  kc: KubeConfig;
  namespace: string;
  cronJobName: string;
  stores: Stores;
  log: Logger;
  /** Called when a watched run reached its end (the start guard can be released). */
  onRunEnded?: (runId: string) => Promise<void> | void;
  /** Failed Jobs older than this are history, not news: no record is created for them. Default 1 day. */
  maxAgeMs?: number;
  /** First restart delay after the watch broke; doubles up to 30 s. Default 500 ms. */
  restartDelayMs?: number;
}

/**
 * Operator-style watcher of the batch Jobs (informers on Jobs and their Pods). It writes into the
 * run records what Kubernetes knows and the batch program may never have written: a Job that failed
 * (OOMKilled, image pull error, deadline, crash) marks its run failed with the reason, creating the
 * record when the program died before it could. Idempotent: several replicas may run it.
 */
export class JobWatcher {
  private jobs?: Informer<V1Job> & ObjectCache<V1Job>;
  private pods?: Informer<V1Pod> & ObjectCache<V1Pod>;
  private stopped = false;
  private readonly queue = new Map<string, Promise<void>>();
  /** Last notable pod problem seen per Job (pods vanish on deadline; keep what they said). */
  private readonly podNotes = new Map<string, string[]>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: JobWatcherOptions) {}

  async start(): Promise<void> {
    const { kc, namespace } = this.o;
    const batch = kc.makeApiClient(BatchV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    this.jobs = makeInformer<V1Job>(kc, `/apis/batch/v1/namespaces/${namespace}/jobs`, () => batch.listNamespacedJob({ namespace }));
    this.pods = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${namespace}/pods`, () => core.listNamespacedPod({ namespace, labelSelector: JOB_NAME_LABEL }), JOB_NAME_LABEL);
    const onJob = (job: V1Job) => this.enqueue(job.metadata?.name ?? '', () => this.reconcile(job));
    this.jobs.on('add', onJob);
    this.jobs.on('update', onJob);
    const onPod = (pod: V1Pod) => {
      const job = pod.metadata?.labels?.[JOB_NAME_LABEL];
      const problems = podProblems(pod);
      if (job && problems.length) {
        this.podNotes.set(job, problems);
        this.enqueue(job, () => this.notePodProblem(job, problems));
      }
    };
    this.pods.on('add', onPod);
    this.pods.on('update', onPod);
    this.pods.on('delete', onPod);
    this.restartOnError(this.jobs, 'jobs');
    this.restartOnError(this.pods, 'pods');
    await Promise.all([this.pods.start(), this.jobs.start()]);
    this.o.log.info({ namespace, cronJob: this.o.cronJobName }, 'watching batch Jobs');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.all([this.jobs?.stop(), this.pods?.stop()]);
    await this.idle();
  }

  /** Wait until every queued reconcile has run (tests). */
  async idle(): Promise<void> {
    while (this.queue.size) await Promise.all([...this.queue.values()]);
  }

  private restartOnError(informer: Informer<V1Job> | Informer<V1Pod>, what: string): void {
    let delay = this.o.restartDelayMs ?? 500;
    informer.on('connect', () => {
      delay = this.o.restartDelayMs ?? 500;
    });
    informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      this.o.log.warn({ err: err instanceof Error ? err.message : String(err), what, retryInMs: delay }, 'watch broke; restarting');
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.stopped) informer.start().catch(() => undefined);
      }, delay);
      this.timers.add(t);
      delay = Math.min(delay * 2, 30_000);
    });
  }

  /** One reconcile at a time per Job, in event order. */
  private enqueue(key: string, fn: () => Promise<void>): void {
    const prev = this.queue.get(key) ?? Promise.resolve();
    const next = prev
      .then(fn)
      .catch((err: unknown) => this.o.log.error({ err, job: key }, 'batch Job reconcile failed'))
      .finally(() => {
        if (this.queue.get(key) === next) this.queue.delete(key);
      });
    this.queue.set(key, next);
  }

  private async findRun(job: V1Job): Promise<BatchRun | null> {
    const runId = job.metadata?.annotations?.[RUN_ID_ANNOTATION];
    if (runId) {
      const run = await this.o.stores.batches.get(runId);
      if (run) return run;
    }
    return this.o.stores.batches.findByJobName(job.metadata?.name ?? '');
  }

  private async notePodProblem(jobName: string, problems: string[]): Promise<void> {
    const job = this.jobs?.get(jobName, this.o.namespace);
    if (!job || !isBatchJob(job, this.o.cronJobName) || jobOutcome(job).state !== 'running') return;
    const run = await this.findRun(job);
    if (run?.status === 'running' && run.error !== problems.join('; ')) {
      await this.o.stores.batches.patch(run.id, { error: problems.join('; ') });
    }
  }

  private async reconcile(job: V1Job): Promise<void> {
    if (!isBatchJob(job, this.o.cronJobName)) return;
    const name = job.metadata?.name ?? '';
    const outcome = jobOutcome(job);
    if (outcome.state === 'running') return;
    const run = await this.findRun(job);
    if (run && run.status !== 'running') {
      this.podNotes.delete(name);
      return this.o.onRunEnded?.(run.id);
    }
    const { batches } = this.o.stores;
    if (outcome.state === 'succeeded') {
      // The program records its own end before exiting 0; a run still "running" never did.
      if (run) {
        await batches.finish(run.id, 'failed', { error: `Kubernetes Job ${name} completed, but the batch program never recorded the run's result.`, jobDied: 'NoResult' });
        await this.o.onRunEnded?.(run.id);
      }
      return;
    }
    const problems = await this.podProblems(name);
    const error = `Kubernetes Job ${name} failed: ${outcome.reason}${outcome.message ? ` (${outcome.message})` : ''}${problems.length ? `; ${problems.join('; ')}` : ''}`;
    const jobDied = deathReason(outcome.reason, problems);
    if (run) {
      const ended = await batches.finish(run.id, 'failed', { error, jobDied });
      if (ended) this.o.log.warn({ runId: run.id, job: name, reason: outcome.reason }, 'batch Job failed; run marked failed');
      await this.o.onRunEnded?.(run.id);
      return;
    }
    // The program died before writing anything: the run exists only because we saw the Job.
    const at = outcome.at ? new Date(outcome.at).getTime() : Date.now();
    if (Date.now() - at > (this.o.maxAgeMs ?? 86_400_000)) return;
    const id = `job-${name}`;
    const claimed = await this.o.stores.ctx.redis.set(`${this.o.stores.keys.prefix}:jobwatch:${name}`, id, 'PX', 7 * 86_400_000, 'NX');
    if (!claimed) return;
    const trigger = job.metadata?.annotations?.[INSTANTIATE_ANNOTATION] === 'manual' ? 'manual' : 'schedule';
    await batches.create({ id, trigger, jobName: name });
    await batches.finish(id, 'failed', { error, jobDied });
    this.o.log.warn({ runId: id, job: name, reason: outcome.reason }, 'batch Job failed before recording a run; run recorded as failed');
  }

  private async podProblems(jobName: string): Promise<string[]> {
    const live = (this.pods?.list(this.o.namespace) ?? []).filter((p) => p.metadata?.labels?.[JOB_NAME_LABEL] === jobName).flatMap(podProblems);
    const out = live.length ? live : (this.podNotes.get(jobName) ?? []);
    this.podNotes.delete(jobName);
    return [...new Set(out)];
  }
}

/** A bounded reason for the metrics for the metrics: what killed the pod when known, else the Job's reason. */
export function deathReason(jobReason: string | undefined, problems: string[]): string {
  const all = problems.join(' ');
  if (/OOMKilled/.test(all)) return 'OOMKilled';
  if (/ImagePull|ErrImage|InvalidImageName/.test(all)) return 'ImagePull';
  return (JOB_DEATHS as readonly string[]).includes(jobReason ?? '') ? jobReason! : 'Other';
}
