import path from 'node:path';
import { createProjectGraphAsync } from '@nx/devkit';
import { ESLint, type Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layering of docs/architecture.md is a lint error, not a convention. These cases feed ESLint
 * deliberately forbidden imports, as if they were written in the named file, and expect it to refuse.
 */

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BOUNDARY_RULE = '@nx/enforce-module-boundaries';

let eslint: ESLint;

beforeAll(async () => {
  // The boundary rule reads the cached project graph; outside `nx lint` nobody has written it yet.
  await createProjectGraphAsync({ exitOnError: false });
  eslint = new ESLint({ cwd: ROOT });
}, 120_000);

async function lintAs(file: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  if (!result) throw new Error(`ESLint returned no result for ${file}`);
  return result.messages;
}

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const messages = await lintAs(file, code);
  return messages.filter((m) => m.ruleId === BOUNDARY_RULE && m.severity === 2).map((m) => m.message);
}

describe('module boundaries', () => {
  it.each([
    [
      'the domain importing axios',
      'libs/domain/src/probe.ts',
      "import axios from 'axios';\nexport const a = axios;\n",
    ],
    [
      'the domain importing the api client',
      'libs/domain/src/probe.ts',
      "import { createTestIOClient } from '@testio-mcp/api-client';\nexport const a = createTestIOClient;\n",
    ],
    [
      'services importing persistence',
      'libs/services/src/probe.ts',
      "import { toFtsMatchQuery } from '@testio-mcp/persistence';\nexport const a = toFtsMatchQuery;\n",
    ],
    [
      'sync importing express',
      'libs/sync/src/probe.ts',
      "import express from 'express';\nexport const a = express;\n",
    ],
    [
      'the api client importing services',
      'libs/api-client/src/probe.ts',
      "import { computeFreshness } from '@testio-mcp/services';\nexport const a = computeFreshness;\n",
    ],
    [
      'library code importing the sandbox',
      'libs/api-client/src/probe.ts',
      "import { startSandbox } from '@testio-mcp/testio-sandbox';\nexport const a = startSandbox;\n",
    ],
    [
      'a feature lib importing the app runtime (it is for apps only)',
      'libs/services/src/probe.ts',
      "import { waitForStop } from '@testio-mcp/app-runtime';\nexport const a = waitForStop;\n",
    ],
    [
      'the domain importing the app runtime',
      'libs/domain/src/probe.ts',
      "import { REDACT_PATHS } from '@testio-mcp/app-runtime';\nexport const a = REDACT_PATHS;\n",
    ],
    [
      'the app runtime creating a pino logger',
      'libs/app-runtime/src/probe.ts',
      "import { pino } from 'pino';\nexport const a = pino();\n",
    ],
    [
      'the app runtime importing an adapter lib',
      'libs/app-runtime/src/probe.ts',
      "import { createTestIOClient } from '@testio-mcp/api-client';\nexport const a = createTestIOClient;\n",
    ],
    [
      'an app importing another app',
      'apps/mcp-server/src/probe.ts',
      "import { parseRestApiSettings } from '@testio-mcp/rest-api';\nexport const a = parseRestApiSettings;\n",
    ],
    [
      'an app importing the CLI app (only the CLI dispatches to apps)',
      'apps/sync-worker/src/probe.ts',
      "import { runCli } from '@testio-mcp/cli';\nexport const a = runCli;\n",
    ],
    [
      'a feature lib importing the composition root (it is for apps only)',
      'libs/services/src/probe.ts',
      "import { openMirror } from '@testio-mcp/composition';\nexport const a = openMirror;\n",
    ],
    [
      'the composition root importing an app',
      'libs/composition/src/probe.ts',
      "import { parseMcpServerSettings } from '@testio-mcp/mcp-server';\nexport const a = parseMcpServerSettings;\n",
    ],
    [
      'the composition root building an HTTP server',
      'libs/composition/src/probe.ts',
      "import express from 'express';\nexport const a = express;\n",
    ],
    [
      'the CLI importing a tool it does not embed',
      'apps/cli/src/probe.ts',
      "import { percentile } from '@testio-mcp/bench';\nexport const a = percentile;\n",
    ],
  ])('refuses %s', async (_label, file, code) => {
    const errors = await boundaryErrors(file, code);
    expect(errors.length).toBeGreaterThan(0);
  });

  it.each([
    [
      'the api client importing the domain',
      'libs/api-client/src/probe.ts',
      "import { UpstreamError } from '@testio-mcp/domain';\nexport const a = UpstreamError;\n",
    ],
    [
      'services importing the domain',
      'libs/services/src/probe.ts',
      "import { NotFoundError } from '@testio-mcp/domain';\nexport const a = NotFoundError;\n",
    ],
    [
      'an app importing a feature lib',
      'apps/sync-worker/src/probe.ts',
      "import { testNeedsRefresh } from '@testio-mcp/sync';\nexport const a = testNeedsRefresh;\n",
    ],
    [
      'an app importing the app runtime',
      'apps/rest-api/src/probe.ts',
      "import { createLogDestination } from '@testio-mcp/app-runtime';\nexport const a = createLogDestination;\n",
    ],
    [
      'an app importing the composition root',
      'apps/mcp-server/src/probe.ts',
      "import { createAppServices } from '@testio-mcp/composition';\nexport const a = createAppServices;\n",
    ],
    [
      'the composition root importing the feature and data-access libs',
      'libs/composition/src/probe.ts',
      "import { openDatabase } from '@testio-mcp/persistence';\nimport { createServices } from '@testio-mcp/services';\nexport const a = [openDatabase, createServices];\n",
    ],
    [
      'the CLI dispatching to an app',
      'apps/cli/src/probe.ts',
      "import { runApiCommand } from '@testio-mcp/rest-api';\nexport const a = runApiCommand;\n",
    ],
    [
      'the CLI embedding the sandbox (testio-mcp sandbox, the demo mode of start), loaded when used',
      'apps/cli/src/probe.ts',
      "export const a = () => import('@testio-mcp/testio-sandbox');\n",
    ],
    [
      'a test using the sandbox as its fixture',
      'libs/api-client/src/probe.test.ts',
      "import { startSandbox } from '@testio-mcp/testio-sandbox';\nexport const a = startSandbox;\n",
    ],
    [
      'a service test wiring the real persistence',
      'libs/services/src/probe.test.ts',
      "import { openDatabase } from '@testio-mcp/persistence';\nexport const a = openDatabase;\n",
    ],
    [
      'a tool importing any lib',
      'tools/bench/src/probe.ts',
      "import { toFtsMatchQuery } from '@testio-mcp/persistence';\nexport const a = toFtsMatchQuery;\n",
    ],
  ])('allows %s', async (_label, file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});

describe('a pure domain', () => {
  it.each(['node:fs', 'fs/promises', 'node:http', 'net', 'node:child_process'])(
    'refuses %s in libs/domain',
    async (mod) => {
      const messages = await lintAs(
        'libs/domain/src/probe.ts',
        `import * as m from '${mod}';\nexport const a = m;\n`,
      );
      expect(messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    },
  );

  it('allows the same import in an adapter', async () => {
    const messages = await lintAs(
      'libs/api-client/src/probe.ts',
      "import * as m from 'node:http';\nexport const a = m;\n",
    );
    expect(messages.map((m) => m.ruleId)).not.toContain('no-restricted-imports');
  });
});

describe('stdout discipline', () => {
  it('refuses console.log in libraries and the MCP server, whose stdout may carry the stdio transport', async () => {
    for (const file of ['libs/sync/src/probe.ts', 'apps/mcp-server/src/probe.ts']) {
      const messages = await lintAs(file, "console.log('hello');\n");
      expect(messages.map((m) => m.ruleId)).toContain('no-console');
    }
  });

  it('allows console.error there (stderr)', async () => {
    const messages = await lintAs('libs/sync/src/probe.ts', "console.error('hello');\n");
    expect(messages.map((m) => m.ruleId)).not.toContain('no-console');
  });
});
