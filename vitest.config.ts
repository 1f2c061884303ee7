// Two projects: fast unit tests in parallel, end-to-end tests (real browsers, coturn, Prometheus, child
// processes) one file at a time, because the machine has two cores and those tests measure frame rates.
import { defineConfig } from 'vitest/config';

const e2e = ['**/*.e2e.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**', 'dist/**', ...e2e],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: e2e,
          exclude: ['node_modules/**', 'dist/**'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
