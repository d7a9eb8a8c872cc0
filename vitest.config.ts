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
      // The fault suite (npm run test:faults): real processes, real Redis, the doubles; one file at a time.
      {
        test: {
          name: 'faults',
          root: './sandbox',
          include: ['faults/**/*.test.ts'],
          globalSetup: ['faults/setup.ts'],
          fileParallelism: false,
          maxConcurrency: 8,
          testTimeout: 600_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
