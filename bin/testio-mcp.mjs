#!/usr/bin/env node
// `testio-mcp` from a checkout: the CLI (apps/cli) is TypeScript, loaded through tsx, so it runs without a build.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// bin/tsconfig.json adds the legacy decorators the REST controllers (tsoa) are written with.
register({ tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) });

const { runCli } = await import('@testio-mcp/cli');
await runCli();
