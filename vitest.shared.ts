import type { ViteUserConfig } from 'vitest/config';

/**
 * The test settings every project's vitest.config.ts shares; each passes its own coverage floors.
 * .ci/summarize-tests.mjs reads the text-summary this prints, so keep that reporter.
 */

export interface CoverageFloors {
  /** Percent of lines that must run; the run fails below it. */
  readonly lines: number;
  /** Percent of branches that must run. */
  readonly branches: number;
}

export function projectTestConfig(options: { coverageFloors?: CoverageFloors } = {}): ViteUserConfig {
  return {
    test: {
      include: ['src/**/*.test.ts'],
      environment: 'node',
      testTimeout: 60_000,
      // Integration suites sync the sandbox into SQLite in beforeAll; give them room on a busy 2-core machine.
      hookTimeout: 120_000,
      ...(options.coverageFloors ? { coverage: coverage(options.coverageFloors) } : {}),
    },
  };
}

/**
 * The Nx test target runs `vitest run --coverage`: the project's own source, measured on the normal run,
 * and the run fails below the floor. Floors sit about 2 points under the figures measured on Node 20
 * (V8 may count branches differently across Node versions, and CI runs 20 and 24); raise, never lower.
 */
function coverage(floors: CoverageFloors) {
  return {
    provider: 'v8' as const,
    include: ['src/**/*.ts'],
    exclude: [
      'src/**/*.test.ts',
      // Compile-time checks (persistence's row types): nothing in them runs.
      'src/**/*.type-test.ts',
      'src/**/__fixtures__/**',
      'src/testing/**',
      'src/testing.ts',
      'src/generated/**',
    ],
    reporter: ['text-summary'],
    // Figures even when a test fails, so a red run still shows what it measured.
    reportOnFailure: true,
    thresholds: { lines: floors.lines, branches: floors.branches },
  };
}
