#!/usr/bin/env node
// Generates the REST routes and the OpenAPI document (apps/rest-api/src/generated, git-ignored) from the
// tsoa controllers. Run by the root `postinstall` (so a fresh checkout can start the API at once) and by
// the Nx target `rest-api:tsoa-generate` (so edits to controllers regenerate before build and test).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const project = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(project, '..', '..', 'node_modules', '@tsoa', 'cli', 'dist', 'cli.js');

mkdirSync(join(project, 'src', 'generated'), { recursive: true });
const result = spawnSync(process.execPath, [cli, 'spec-and-routes', '-c', 'tsoa.json'], {
  cwd: project,
  stdio: 'inherit',
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
