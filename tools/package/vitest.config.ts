import { defineConfig } from 'vitest/config';

/**
 * One suite: build the package, pack it, install the tarball into an empty folder with npm (better-sqlite3
 * compiles from source where no prebuilt binary can be fetched: about 90 s), then run the installed bin.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 420_000,
  },
});
