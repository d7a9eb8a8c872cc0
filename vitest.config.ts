import { defineConfig } from 'vitest/config';

const project = (name: string, extra: Record<string, unknown> = {}) => ({
  test: {
    name,
    root: `./${name}`,
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A busy machine (2 cores shared by several suites) can take seconds to render a page or answer a
    // request: expect.poll waits for the condition that long, not vitest's default 1 s.
    expect: { poll: { timeout: 20_000, interval: 100 } },
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
    ],
  },
});
