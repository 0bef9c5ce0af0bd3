import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    // Integration suites sync the sandbox into SQLite in beforeAll; give them room on a busy 2-core machine.
    hookTimeout: 120_000,
  },
});
