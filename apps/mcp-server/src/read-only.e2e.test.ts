import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectThreePartError, structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { TOOLS } from './tools/index.js';

/**
 * `--read-only` (ADR 0028) over both transports with the SDK client: the writing tools are not listed,
 * a call of one or of the report's export answers the read-only error, and every read still answers.
 */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');
const WRITERS = TOOLS.filter((t) => !t.annotations.readOnlyHint).map((t) => t.name);

let stack: McpStack;
let exportDir: string;

beforeAll(async () => {
  stack = await startMcpStack();
  exportDir = path.join(path.dirname(stack.env.TESTIO_DB_PATH ?? ''), 'exports');
}, 120_000);

afterAll(async () => {
  await stack.close();
});

function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LOG_FORMAT: 'text',
    TESTIO_EXPORT_DIR: exportDir,
    ...stack.env,
    ...extra,
  };
}

async function expectReadOnly(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  expect(names).not.toContain('sync_data');
  expect(names).toContain('list_products');
  for (const tool of tools) expect(tool.annotations?.readOnlyHint, tool.name).toBe(true);
  const report = tools.find((t) => t.name === 'generate_quality_report');
  expect(Object.keys(report?.inputSchema.properties ?? {})).not.toContain('output_file');
  expect(Object.keys(report?.inputSchema.properties ?? {})).not.toContain('overwrite');
  expect(report?.description).not.toContain('output_file');

  expectThreePartError(
    await client.callTool({ name: 'sync_data', arguments: {} }),
    /sync_data is not available: this server is read-only[\s\S]*--read-only/,
  );
  expectThreePartError(
    await client.callTool({
      name: 'generate_quality_report',
      arguments: { output_file: 'acme/q2', statuses: 'all' },
    }),
    /generate_quality_report with output_file is not available: this server is read-only/,
  );
  // The alias keeps the same rule.
  expectThreePartError(
    await client.callTool({ name: 'get_product_quality_report', arguments: { output_file: 'acme/q2' } }),
    /read-only/,
  );
  const answer = structuredOf<{ summary: { total_tests: number }; export?: unknown }>(
    await client.callTool({ name: 'generate_quality_report', arguments: { statuses: 'all', max_tests: 2 } }),
  );
  expect(answer.summary.total_tests).toBeGreaterThan(0);
  expect(answer.export ?? null).toBeNull();
  expect(existsSync(exportDir) ? readdirSync(exportDir) : []).toEqual([]);
}

describe('read-only over stdio', () => {
  it('`serve --read-only` lists no writing tool and refuses writes with the three-part error', async () => {
    expect(WRITERS).toContain('sync_data');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'serve', '--transport', 'stdio', '--read-only', '--no-sync'],
      env: serverEnv(),
      cwd: path.dirname(stack.env.TESTIO_DB_PATH ?? ''),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'vitest-read-only', version: '1.0.0' });
    await client.connect(transport);
    try {
      await expectReadOnly(client);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('read-only over Streamable HTTP with the REST API beside it', () => {
  let child: ChildProcess;
  let origin = '';
  let exited: Promise<number | null>;

  beforeAll(async () => {
    child = spawn(process.execPath, [BIN, 'serve', '--transport', 'http', '--port', '0', '--no-sync'], {
      env: serverEnv({ TESTIO_READ_ONLY: 'true' }),
      cwd: path.dirname(stack.env.TESTIO_DB_PATH ?? ''),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    let stderr = '';
    const ready = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
        stderr += `${line}\n`;
        if (/ready at http/.test(line)) resolve(line);
      });
      void exited.then((code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
    });
    origin = /(http:\/\/127\.0\.0\.1:\d+)/.exec(ready)?.[1] ?? '';
  }, 60_000);

  afterAll(async () => {
    if (child?.exitCode === null) child.kill('SIGTERM');
    await exited;
  });

  it('TESTIO_READ_ONLY=true: MCP lists no writing tool and refuses writes', async () => {
    const client = new Client({ name: 'vitest-read-only-http', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${origin}/mcp`)));
    try {
      await expectReadOnly(client);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('the REST API on the same port refuses POST /api/sync and leaves it out of /openapi.json', async () => {
    const refused = await fetch(`${origin}/api/sync`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('read_only');
    const spec = (await (await fetch(`${origin}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(spec.paths['/api/sync']?.['post']).toBeUndefined();
    expect((await fetch(`${origin}/api/products`)).status).toBe(200);
  });
});
