import { defineConfig } from 'vitest/config';
import { projectTestConfig } from '../../vitest.shared.js';

export default defineConfig(projectTestConfig({ coverageFloors: { lines: 88, branches: 80 } }));
