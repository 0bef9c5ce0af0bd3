import { defineConfig } from 'vitest/config';

/** The full reliability suite: thousands of fuzz runs, 20 SIGKILLs, a random fast-check seed. */
export default defineConfig({
  root: import.meta.dirname,
  test: {
    include: ['src/reliability/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // One suite at a time: each one loads the machine with its own processes.
    fileParallelism: false,
    env: { RELIABILITY_FULL: '1' },
    testTimeout: 1_800_000,
    hookTimeout: 300_000,
  },
});
