import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.js';

export default defineConfig(projectTestConfig({ coverageFloors: { lines: 76, branches: 76 } }));
