import { defineConfig } from 'vitest/config';

/**
 * Unit tests and the reduced reliability suite (part of `npm test`). The full suite:
 * `vitest run --config vitest.reliability.config.ts` (`npm run test:reliability`).
 * Forks, not threads: the suites start and kill real processes.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
