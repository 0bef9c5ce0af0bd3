#!/usr/bin/env node
// Generates the Prisma client (libs/persistence/src/generated/prisma) from prisma/schema.prisma,
// offline. Prisma's CLI insists on locating a native schema engine before it runs `generate`, although
// generation itself only uses the bundled WebAssembly; pointing PRISMA_SCHEMA_ENGINE_BINARY at any
// existing file satisfies that check without a download. Safe to run repeatedly (root `postinstall`,
// Nx target `persistence:prisma-generate`).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const schema = join(root, 'prisma', 'schema.prisma');
const cli = join(root, 'node_modules', 'prisma', 'build', 'index.js');

if (!existsSync(cli)) {
  // Production installs without dev dependencies have no CLI; the generated client is not needed there
  // unless the sources are run, which requires a full install anyway.
  console.error('prisma-generate: the prisma CLI is not installed; skipping client generation');
  process.exit(0);
}

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = schema;

const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], {
  cwd: root,
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
