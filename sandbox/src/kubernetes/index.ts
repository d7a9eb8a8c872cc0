export { startKubernetesDouble, type KubernetesDouble, type KubernetesDoubleOptions, type RecordedRequest } from './server';
export { JobController, type ContainerOutcome, type FailOptions } from './job-controller';
export { ObjectStore, matchesLabels, type KubeObject, type WatchEvent } from './store';
export { batchCronJob } from './fixtures';
