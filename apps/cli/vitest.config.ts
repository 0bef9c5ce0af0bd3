import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.js';

// The commands themselves are tested as spawned processes (tools/workspace-checks: cli, cli-flags, signals,
// terminal, setup), which in-process coverage does not see: hence the low line floor.
export default defineConfig(projectTestConfig({ coverageFloors: { lines: 31, branches: 85 } }));
