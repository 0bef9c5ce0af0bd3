import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { listProductsOutputSchema } from './tools/list-products.js';

/**
 * `testio-mcp serve --transport http` on one port (ADR 0015): MCP at /mcp and the REST API beside it
 * (hybrid, the default), MCP alone (`--api-mode mcp`) or REST alone (`--api-mode rest`), each spawned
 * through the real command line against the sandbox's mirror.
 */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');

let stack: McpStack;

beforeAll(async () => {
  stack = await startMcpStack();
}, 120_000);

afterAll(async () => {
  await stack.close();
});

interface Served {
  readonly child: ChildProcess;
  /** The first log line matching the ready pattern. */
  readonly ready: string;
  readonly origin: string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `testio-mcp serve --transport http --port 0 ...args` and waits for its ready line. */
async function serve(args: string[], extraEnv: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--transport', 'http', '--port', '0', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_FORMAT: 'text',
      ...stack.env,
      ...extraEnv,
    },
    cwd: path.dirname(stack.env.TESTIO_DB_PATH ?? ''),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr += `${line}\n`;
      if (/ready at http/.test(line)) resolve(line);
    });
    void exited.then((code) =>
      reject(new Error(`serve exited with ${code} before it was ready:\n${stderr}`)),
    );
  });
  const origin = /(http:\/\/127\.0\.0\.1:\d+)/.exec(ready)?.[1] ?? '';
  return {
    child,
    ready,
    origin,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Runs `serve` to its end (it must stop by itself) and returns its exit code and stderr. */
async function serveFails(args: string[], extraEnv: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...stack.env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stderr };
}

async function withClient<T>(origin: string, use: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ name: 'vitest-hybrid', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${origin}/mcp`)));
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

async function listProductsOverMcp(origin: string, key?: string) {
  const client = new Client({ name: 'vitest-hybrid', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${origin}/mcp`), {
      requestInit: key ? { headers: { authorization: `Bearer ${key}` } } : {},
    }),
  );
  try {
    return listProductsOutputSchema.parse(
      structuredOf(await client.callTool({ name: 'list_products', arguments: {} })),
    );
  } finally {
    await client.close();
  }
}

describe('hybrid (the default)', () => {
  let served: Served;

  beforeAll(async () => {
    // No sync of its own: the health answer below reads the stack's stale mirror, and a background sync
    // finishing mid-describe (it did once reads moved to worker threads and the first test took longer)
    // would turn it `ok`; these tests are about the one port, not the sync.
    served = await serve(['--no-sync']);
  }, 60_000);

  afterAll(async () => {
    expect(await served?.stop()).toBe(0);
  });

  it('says where both are in its ready line', () => {
    expect(served.ready).toContain(`MCP server ready at ${served.origin}/mcp`);
    expect(served.ready).toContain(`REST API at ${served.origin}/api`);
  });

  it('serves MCP at /mcp and the REST API on the same port, with the same numbers', async () => {
    const overMcp = await listProductsOverMcp(served.origin);
    expect(overMcp.total_count).toBe(stack.truth.totals.products);

    const response = await fetch(`${served.origin}/api/products`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const overRest = (await response.json()) as { total_count: number };
    expect(overRest.total_count).toBe(overMcp.total_count);
  }, 60_000);

  it('serves the Swagger UI, the OpenAPI document, one health answer and the metrics', async () => {
    const docs = await fetch(`${served.origin}/docs/`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    expect(await docs.text()).toContain('swagger-ui');

    const spec = (await (await fetch(`${served.origin}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain('/api/products');

    const health = await fetch(`${served.origin}/health`);
    expect(health.status).toBe(200);
    const report = (await health.json()) as Record<string, unknown>;
    // The REST API's answer: the stack synced at the sandbox's (past) "now", so the mirror reads as stale.
    expect(report).toMatchObject({
      status: 'degraded',
      database: { reachable: true },
      sync: { last_run_status: 'success' },
    });
    expect(report['problems']).toEqual([expect.stringMatching(/^The last successful sync is \d+ s old/)]);

    expect((await fetch(`${served.origin}/api/products?per_page=1`)).status).toBe(200);
    const metrics = await fetch(`${served.origin}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/testio_http_requests_total\{[^}]*route="\/api\/products"[^}]*status="200"\}/);
    expect(text).toMatch(/^testio_database_up 1$/m);
  }, 60_000);

  it('tells models where the REST API of this port is, and counts their reads into its metrics', async () => {
    const test = stack.truth.tests?.[0];
    await withClient(served.origin, async (client) => {
      const access = await client.readResource({ uri: 'testio://knowledge/programmatic-access' });
      expect((access.contents[0] as { text: string }).text).toContain(
        `Base URL of this deployment: **${served.origin}**`,
      );
      const summary = await client.callTool({ name: 'get_test_summary', arguments: { test_id: test?.id } });
      expect(summary.isError).toBeFalsy();
    });
    const text = await (await fetch(`${served.origin}/metrics`)).text();
    expect(text).toMatch(/^testio_cache_lookups_total\{entity="tests",outcome="\w+"\} [1-9]/m);
  }, 60_000);

  it('answers an unknown path with the REST error model, and keeps MCP’s own rules at /mcp', async () => {
    const missing = await fetch(`${served.origin}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not_found' } });

    expect((await fetch(`${served.origin}/mcp`)).status).toBe(405);
    const foreign = await fetch(`${served.origin}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
  });
});

describe('--api-mode', () => {
  it('mcp serves MCP and its own /health, and no REST API', async () => {
    const served = await serve(['--api-mode', 'mcp']);
    try {
      expect(served.ready).not.toContain('REST API');
      expect((await listProductsOverMcp(served.origin)).total_count).toBe(stack.truth.totals.products);
      expect((await fetch(`${served.origin}/api/products`)).status).toBe(404);
      expect((await fetch(`${served.origin}/docs/`)).status).toBe(404);
      const health = (await (await fetch(`${served.origin}/health`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ status: 'ok', tools: expect.any(Number) });
    } finally {
      expect(await served.stop()).toBe(0);
    }
  }, 60_000);

  it('rest serves the REST API and no MCP endpoint (TESTIO_API_MODE, the env twin)', async () => {
    const served = await serve([], { TESTIO_API_MODE: 'rest' });
    try {
      expect(served.ready).toContain(`REST API ready at ${served.origin}/api`);
      expect(served.ready).not.toContain('MCP server ready');
      expect((await fetch(`${served.origin}/api/products`)).status).toBe(200);
      const mcp = await fetch(`${served.origin}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(mcp.status).toBe(404);
      expect(await mcp.json()).toMatchObject({ error: { code: 'not_found' } });
    } finally {
      expect(await served.stop()).toBe(0);
    }
  }, 60_000);
});

describe('one authenticator for /mcp and the REST API on the shared port', () => {
  it('asks for an API key on /api and /mcp once keys exist, while /docs stays public', async () => {
    const key = 'k'.repeat(8) + 'hybrid-test-key';
    const served = await serve([], { TESTIO_API_KEYS: key, TESTIO_REST_REQUIRE_API_KEY: 'true' });
    try {
      expect(served.ready).toContain('auth=required');
      expect((await fetch(`${served.origin}/api/products`)).status).toBe(401);
      expect(
        (await fetch(`${served.origin}/api/products`, { headers: { authorization: `Bearer ${key}` } }))
          .status,
      ).toBe(200);
      expect((await fetch(`${served.origin}/docs/`)).status).toBe(200);
      await expect(listProductsOverMcp(served.origin)).rejects.toThrow(/An API key is required/);
      const refused = await fetch(`${served.origin}/mcp`, { method: 'POST' });
      expect(refused.status).toBe(401);
      const metadataUrl = /resource_metadata="([^"]+)"/.exec(
        refused.headers.get('www-authenticate') ?? '',
      )?.[1];
      const metadata = await fetch(metadataUrl ?? 'missing');
      expect(metadata.status).toBe(200);
      expect(await metadata.json()).toMatchObject({ resource: `${served.origin}/mcp` });
      expect((await listProductsOverMcp(served.origin, key)).total_count).toBe(stack.truth.totals.products);
      expect(served.stderr()).not.toContain(key);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  }, 60_000);

  it('refuses to serve beyond loopback without keys, in every api mode, and says how to create one', async () => {
    for (const mode of ['hybrid', 'mcp']) {
      const { code, stderr } = await serveFails([
        '--transport',
        'http',
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--api-mode',
        mode,
      ]);
      expect(code).toBe(2);
      expect(stderr).toContain('TESTIO_API_KEYS is empty');
      expect(stderr).toContain('testio-mcp keys create --tenant default --role admin');
    }
  }, 60_000);

  it('refuses --api-mode over stdio', async () => {
    const { code, stderr } = await serveFails(['--transport', 'stdio', '--api-mode', 'rest']);
    expect(code).toBe(2);
    expect(stderr).toContain('--api-mode rest needs --transport http');
  }, 30_000);
});
