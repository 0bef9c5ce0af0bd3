#!/usr/bin/env node
// The published package's `testio-mcp` bin: apps/cli and everything it imports, bundled to JavaScript by
// tools/package/scripts/build-package.mjs. A checkout runs the same CLI through tsx (bin/testio-mcp.mjs);
// the package needs neither tsx nor the TypeScript sources.
import { runCli } from '@testio-mcp/cli';

await runCli();
