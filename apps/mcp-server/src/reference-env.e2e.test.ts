import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { REFERENCE_ONLY_SETTINGS } from '@testio-mcp/domain';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { listProductsOutputSchema } from './tools/list-products.js';

/**
 * A reference user's `.env` carried over as it is: every variable of the reference's `.env.example`
 * (../shared/spec/reference-surface.md §5), with its values written the reference's way (`10.0`,
 * `INFO`, old tool names). `testio-mcp serve` must start and serve, and say on stderr what it ignores.
 */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');

let stack: McpStack;
let dir: string;

beforeAll(async () => {
  stack = await startMcpStack();
  dir = mkdtempSync(path.join(tmpdir(), 'mcp-reference-env-'));
}, 120_000);

afterAll(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The reference's variables with the values its .env.example and setup wizard write. */
function referenceEnv(): Record<string, string> {
  return {
    TESTIO_CUSTOMER_API_TOKEN: stack.env.TESTIO_CUSTOMER_API_TOKEN ?? '',
    TESTIO_CUSTOMER_API_BASE_URL: stack.env.TESTIO_CUSTOMER_API_BASE_URL ?? '',
    TESTIO_CUSTOMER_ID: '1',
    TESTIO_CUSTOMER_NAME: 'acme',
    TESTIO_PRODUCT_IDS: '',
    TESTIO_DB_PATH: stack.env.TESTIO_DB_PATH ?? '',
    TESTIO_REFRESH_INTERVAL_SECONDS: '3600',
    TESTIO_FORCE_INITIAL_SYNC: 'false',
    TESTIO_SYNC_SINCE: '',
    TESTIO_SKIP_MIGRATIONS: 'false',
    CACHE_TTL_SECONDS: '3600',
    BUG_CACHE_ENABLED: 'true',
    BUG_CACHE_BYPASS: 'false',
    MAX_CONCURRENT_API_REQUESTS: '10',
    CONNECTION_POOL_SIZE: '20',
    CONNECTION_POOL_MAX_KEEPALIVE: '20',
    HTTP_TIMEOUT_SECONDS: '90.0',
    MAX_ACQUIRE_TIMEOUT_SECONDS: '10.0',
    MAX_CONCURRENT_DB_WRITES: '1',
    TESTIO_DEFAULT_PAGE_SIZE: '100',
    LOG_LEVEL: 'INFO',
    LOG_FORMAT: 'json',
    LOG_FILE: path.join(dir, 'logs', 'server.log'),
    TESTIO_HTTP_HOST: '127.0.0.1',
    TESTIO_HTTP_PORT: '8080',
    AUTO_ACCEPTANCE_ALERT_THRESHOLD: '0.20',
    PLAYBOOK_REJECTION_WARNING: '0.20',
    PLAYBOOK_REJECTION_CRITICAL: '0.35',
    PLAYBOOK_AUTO_ACCEPTANCE_WARNING: '0.20',
    PLAYBOOK_AUTO_ACCEPTANCE_CRITICAL: '0.40',
    PLAYBOOK_REVIEW_WARNING: '0.80',
    PLAYBOOK_REVIEW_CRITICAL: '0.60',
    SHUTDOWN_GRACE_PERIOD_SECONDS: '10.0',
    // The reference's example list, which names tools of its older releases.
    DISABLED_TOOLS: 'health_check,get_test_status,generate_ebr_report,get_database_stats,get_sync_history',
  };
}

it("serves over stdio with every variable of the reference's .env.example, warning on stderr about each one it does not use", async () => {
  const env = referenceEnv();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'serve', '--transport', 'stdio'],
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
    cwd: dir,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'reference-user', version: '0.4.0' });
  // A stray byte on stdout would break the protocol stream, and so this client.
  await client.connect(transport);
  try {
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('list_products');
    // DISABLED_TOOLS' old names counted as their replacements.
    for (const removed of ['get_server_diagnostics', 'get_test_summary', 'generate_quality_report']) {
      expect(names).not.toContain(removed);
    }
    const data = listProductsOutputSchema.parse(
      structuredOf(await client.callTool({ name: 'list_products', arguments: {} })),
    );
    expect(data.total_count).toBe(stack.truth.totals.products);

    const warnings = stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number | string; msg: string; variable?: string })
      .filter((line) => line.level === 40 || line.level === 'warn');
    const unused = Object.keys(REFERENCE_ONLY_SETTINGS).filter((variable) => (env[variable] ?? '') !== '');
    expect(unused).toEqual([
      'TESTIO_SKIP_MIGRATIONS',
      'BUG_CACHE_ENABLED',
      'BUG_CACHE_BYPASS',
      'CONNECTION_POOL_SIZE',
      'CONNECTION_POOL_MAX_KEEPALIVE',
      'MAX_ACQUIRE_TIMEOUT_SECONDS',
      'MAX_CONCURRENT_DB_WRITES',
    ]);
    for (const variable of unused) {
      expect(
        warnings.filter((w) => w.variable === variable),
        variable,
      ).toHaveLength(1);
    }
    for (const old of ['health_check', 'get_test_status', 'generate_ebr_report', 'get_database_stats']) {
      expect(
        warnings.some((w) => w.msg.includes(`DISABLED_TOOLS: '${old}'`)),
        old,
      ).toBe(true);
    }
    expect(stderr).toContain('MCP server ready on stdio');
    expect(stderr).not.toContain(stack.sandbox.token);
  } finally {
    await client.close();
  }
}, 60_000);
