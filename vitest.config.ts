import { defineConfig } from 'vitest/config';

// One runner for the whole repo. Files share real PostgreSQL/Redis, so each test file creates its own
// database (see server/test/helpers) and files run in parallel only up to the machine's 2 cores.
export default defineConfig({
  test: {
    include: ['server/test/**/*.test.ts', 'web/test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './scripts/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
