import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.js';

// Low on purpose: the worker's commands are tested as spawned processes (processes.test.ts,
// sync.e2e.test.ts, tenants.e2e.test.ts), which in-process coverage does not see. Branches 50: the
// per-tenant sync (ADR 0024) added branches exercised only by the spawned `sync` and `worker` of
// tenants.e2e.test.ts; 14 of the 27 branches in-process coverage sees are taken (51.9 %).
export default defineConfig(projectTestConfig({ coverageFloors: { lines: 5, branches: 50 } }));
