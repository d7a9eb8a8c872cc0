import { defineConfig } from 'vitest/config';

const project = (name: string, extra: Record<string, unknown> = {}, env: Record<string, string> = {}) => ({
  test: {
    name,
    root: `./${name.replace(/-cluster$/, '')}`,
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
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
      onCluster('core', ['test/ledger.test.ts', 'test/stores.test.ts', 'test/migrate-keys.test.ts']),
      onCluster('batch-job', ['test/batch-run.test.ts']),
      onCluster('admin-api', ['test/security.test.ts']),
    ],
  },
});
