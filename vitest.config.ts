import { defineConfig } from 'vitest/config';

const project = (name: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) => ({
  test: {
    name,
    root: `./${name.replace(/-cluster$/, '')}`,
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // A busy machine (2 cores shared by several suites) can take tens of seconds to start a child
    // process under tsx, and seconds to render a page or answer a request: tests and hooks get minutes,
    // expect.poll waits for its condition up to 20 s (not vitest's default 1 s).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    expect: { poll: { timeout: 20_000, interval: 100 } },
    // Lua scripts refuse any key they were not given in KEYS (see core script-loader).
    env: { REDIS_SCRIPT_KEY_CHECK: '1', ...env },
    ...extra,
  },
});

/**
 * The Redis integration suites once more against a real 3-master Redis Cluster (TEST_REDIS=cluster,
 * see core/src/testing/test-redis.ts); `npm run test:cluster` runs only these.
 */
const onCluster = (name: string, include: string[]) => project(`${name}-cluster`, { include, fileParallelism: false }, { TEST_REDIS: 'cluster' });

export default defineConfig({
  test: {
    projects: [
      project('core'),
      project('sandbox'),
      project('batch-job'),
      project('bot'),
      project('admin-api'),
      project('admin-web', { include: ['test/**/*.test.ts'], fileParallelism: false, testTimeout: 120_000 }),
      onCluster('core', ['test/ledger.test.ts', 'test/housekeeping.test.ts', 'test/stores.test.ts', 'test/migrate-keys.test.ts', 'test/season-awards.test.ts', 'test/seasons.test.ts', 'test/role-rewards.test.ts', 'test/period-retention.test.ts', 'test/role-grant-intents.test.ts']),
      onCluster('batch-job', ['test/batch-run.test.ts']),
      onCluster('admin-api', ['test/security.test.ts']),
      // The deployment: the Helm chart, k8s/ and skaffold.yaml rendered and checked, the images built and run with podman.
      { test: { name: 'deploy', root: './charts', include: ['test/**/*.test.ts'], fileParallelism: false, testTimeout: 300_000, hookTimeout: 45 * 60_000 } },
      // The fault suite (npm run test:faults): real processes, real Redis, the doubles; one file at a time.
      {
        test: {
          name: 'faults',
          root: '.',
          include: ['sandbox/faults/**/*.test.ts', 'bot/faults/**/*.test.ts'],
          globalSetup: ['sandbox/faults/setup.ts'],
          fileParallelism: false,
          maxConcurrency: 8,
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
