export { startKubernetesDouble, type JobExecutor, type KubernetesDouble, type KubernetesDoubleOptions, type RecordedRequest } from './server';
export { processExecutor } from './process-executor';
export { JobController, type ContainerOutcome, type FailOptions } from './job-controller';
export { ObjectStore, matchesLabels, type KubeObject, type WatchEvent } from './store';
export { batchCronJob } from './fixtures';
