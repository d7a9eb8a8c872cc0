import type { KubeObject } from './store';

/**
 * The batch CronJob as the chart deploys it (trimmed to what matters here): a jobTemplate whose pod
 * learns its Job name through the downward API, so the batch program can record it (JOB_NAME).
 */
export function batchCronJob(opts: { name?: string; namespace?: string; image?: string; schedule?: string } = {}): KubeObject {
  const name = opts.name ?? 'engagement-tracker-batch';
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: {
      name,
      namespace: opts.namespace ?? 'default',
      labels: { 'app.kubernetes.io/name': 'engagement-tracker', 'app.kubernetes.io/component': 'batch-job' },
    },
    spec: {
      schedule: opts.schedule ?? '*/30 * * * *',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
      jobTemplate: {
        metadata: {
          labels: { 'app.kubernetes.io/name': 'engagement-tracker', 'app.kubernetes.io/component': 'batch-job' },
          annotations: { 'engagement-tracker/template': 'batch' },
        },
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: 1500,
          template: {
            metadata: { labels: { 'app.kubernetes.io/name': 'engagement-tracker', 'app.kubernetes.io/component': 'batch-job' } },
            spec: {
              restartPolicy: 'Never',
              serviceAccountName: 'engagement-tracker-batch',
              containers: [
                {
                  name: 'batch-job',
                  image: opts.image ?? 'ghcr.io/example/engagement-tracker:sandbox',
                  args: ['run'],
                  env: [
                    { name: 'JOB_NAME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } },
                    { name: 'REDIS_URL', value: 'redis://redis:6379' },
                  ],
                },
              ],
            },
          },
        },
      },
    },
  };
}
