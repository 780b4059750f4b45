import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Memory-bound tests measure what is retained after a collection, not GC timing.
    execArgv: ['--expose-gc'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
