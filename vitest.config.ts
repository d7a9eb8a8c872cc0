import { defineConfig } from 'vitest/config';

const project = (name: string, extra: Record<string, unknown> = {}) => ({
  test: {
    name,
    root: `./${name}`,
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    ...extra,
  },
});

export default defineConfig({
  test: {
    projects: [
      project('core'),
      project('sandbox'),
      project('batch-job'),
      project('bot'),
      project('admin-api'),
      project('admin-web', { include: ['test/**/*.test.ts'], fileParallelism: false, testTimeout: 120_000 }),
      // The deployment: the Helm chart, k8s/ and skaffold.yaml rendered and checked, the images built and run with podman.
      { test: { name: 'deploy', root: './charts', include: ['test/**/*.test.ts'], fileParallelism: false, testTimeout: 300_000, hookTimeout: 45 * 60_000 } },
    ],
  },
});
