#!/usr/bin/env node
// `testio-mcp` from a checkout: the sources are TypeScript, loaded through tsx, so the CLI runs without a build.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// bin/tsconfig.json adds the legacy decorators the REST controllers (tsoa) are written with.
register({ tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) });

const { runCli } = await import('./cli.mjs');
await runCli();
