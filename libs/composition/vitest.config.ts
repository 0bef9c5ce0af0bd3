import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.js';

export default defineConfig(projectTestConfig({ coverageFloors: { lines: 90, branches: 88 } }));
