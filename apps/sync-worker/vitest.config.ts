import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.js';

// Low on purpose: the worker's commands are tested as spawned processes (processes.test.ts,
// sync.e2e.test.ts), which in-process coverage does not see.
export default defineConfig(projectTestConfig({ coverageFloors: { lines: 5, branches: 55 } }));
