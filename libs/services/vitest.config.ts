import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.js';

const shared = projectTestConfig({ coverageFloors: { lines: 91, branches: 75 } });

// The PostgreSQL stacks of a run share one synced template database, named and dropped here.
export default defineConfig({
  ...shared,
  test: { ...shared.test, globalSetup: ['src/__fixtures__/pg-stack-setup.ts'] },
});
