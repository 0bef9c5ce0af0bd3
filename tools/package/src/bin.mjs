#!/usr/bin/env node
// The published package's `testio-mcp` bin: bin/cli.mjs and everything it imports, bundled to JavaScript
// by tools/package/scripts/build-package.mjs. A checkout runs the same dispatcher through tsx
// (bin/testio-mcp.mjs); the package needs neither tsx nor the TypeScript sources.
// bin/ belongs to no project: the root package's dispatcher, bundled from here.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { runCli } from '../../../bin/cli.mjs';

await runCli();
