import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startSandbox, type GroundTruth, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { structuredOf } from './__fixtures__/harness.js';
import { ANCHOR } from './__fixtures__/stack.js';
import { listProductsOutputSchema } from './tools/list-products.js';
import { listTestsOutputSchema } from './tools/list-tests.js';

/**
 * `serve` on an empty mirror, as a new user's MCP client starts it (ADR 0012): it syncs by itself in a
 * process of its own, and the very first question gets real numbers, not "nothing synced yet".
 */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');

let sandbox: RunningSandbox;
let truth: GroundTruth;
let dir: string;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  truth = sandbox.truth();
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'testio-mcp-first-sync-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function serverEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    LOG_FORMAT: 'json',
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
  };
}

/** Whether the process exists and is not a zombie waiting for init to reap it (Linux /proc). */
/** Whether the process has exited (or become a zombie) within `ms`, polling /proc. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Log lines of stderr (JSON), skipping anything else. */
function logLines(stderr: string): Array<{ msg?: string; pid?: number; process?: string }> {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; pid?: number; process?: string });
}

describe('serve on an empty mirror', () => {
  it('answers the very first list_tests with the real number of tests, then list_products with the real counts', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'serve', '--transport', 'stdio'],
      env: serverEnv(),
      cwd: dir,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'vitest-first-sync', version: '1.0.0' });
    await client.connect(transport);
    try {
      // The product with the most tests: several pages to walk, so a count of one page would show.
      const product = [...truth.products].sort((a, b) => b.tests - a.tests)[0];
      if (!product) throw new Error('the sandbox has no products');
      const tests = listTestsOutputSchema.parse(
        structuredOf(
          await client.callTool({ name: 'list_tests', arguments: { product_id: product.id, per_page: 10 } }),
        ),
      );
      expect(tests.pagination.total_count).toBe(product.tests);
      expect(tests.tests).toHaveLength(10);

      const products = listProductsOutputSchema.parse(
        structuredOf(await client.callTool({ name: 'list_products', arguments: {} })),
      );
      expect(products.total_count).toBe(truth.totals.products);
      // Every count is the real one, or the answer says the first sync has not got there yet.
      for (const row of products.products) {
        const expected = truth.products.find((p) => p.id === row.id)?.tests;
        if (row.test_count !== expected) expect(products.warnings?.join(' ')).toMatch(/first sync/);
      }
      expect(products.products.find((p) => p.id === product.id)?.test_count).toBe(product.tests);
      // The sync runs in a process of its own, whose lines go to stderr (stdout carried only JSON-RPC,
      // or the client would have failed to parse it).
      const lines = logLines(stderr);
      expect(lines.some((l) => l.msg === 'sync worker started' && l.process === 'sync-worker')).toBe(true);
      expect(stderr).not.toContain(sandbox.token);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('does not sync with --no-sync, and says how to fill the mirror', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--no-sync'], {
      env: serverEnv(),
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain('this server does not sync');
    expect(stderr).not.toContain('sync process started');
  }, 60_000);

  it('leaves no sync process behind when the server is killed: the worker notices and stops', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--transport', 'stdio'], {
      env: serverEnv(),
      cwd: dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    const workerStarted = new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (logLines(stderr).some((l) => l.msg === 'sync worker started')) resolve();
      }),
    );
    // The worker writes to the same stderr pipe: the pipe ends only when the worker has exited too.
    const stderrClosed = new Promise<void>((resolve) => child.stderr.on('close', () => resolve()));
    await workerStarted;
    const workerPid = logLines(stderr).find((l) => l.msg?.startsWith('sync process started'))?.pid;
    expect(workerPid).toBeTypeOf('number');
    child.kill('SIGKILL');
    await stderrClosed;
    expect(stderr).toContain('sync worker stopped (server gone)');
    // The pipe closes when the exiting worker releases its descriptors, a moment before the kernel marks it
    // exited (seen on Node 24 under load): wait for that, bounded, instead of reading /proc once.
    expect(await goneWithin(workerPid as number, 10_000)).toBe(true);
  }, 60_000);
});
