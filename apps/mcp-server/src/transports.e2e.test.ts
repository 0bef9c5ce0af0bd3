import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectThreePartError, structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { createServer } from './server.js';
import { TOOLS } from './tools/index.js';

/** What a server serves by default: every tool but the alias and the opt-in triage tools (ADR 0032). */
const DEFAULT_TOOLS = TOOLS.filter((t) => t.aliasOf === undefined && t.toolset !== 'triage').map(
  (t) => t.name,
);
import { listProductsOutputSchema } from './tools/list-products.js';
import { createHttpApp, listen, type RunningHttpServer } from './transports/http.js';

/** The same tools over stdio (a spawned `testio-mcp serve`) and Streamable HTTP, with the SDK client. */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');

let stack: McpStack;

beforeAll(async () => {
  stack = await startMcpStack();
}, 120_000);

afterAll(async () => {
  await stack.close();
});

/** The env a client config would carry, without a developer's own settings leaking in. */
function serverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LOG_FORMAT: 'json',
    ...stack.env,
    ...extra,
  };
}

describe('stdio', () => {
  it('serves every tool to the SDK client from a spawned `testio-mcp serve --transport stdio`', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'serve', '--transport', 'stdio'],
      env: serverEnv(),
      cwd: path.dirname(stack.env.TESTIO_DB_PATH ?? ''),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'vitest-stdio', version: '1.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(DEFAULT_TOOLS);
      const data = listProductsOutputSchema.parse(
        structuredOf(await client.callTool({ name: 'list_products', arguments: {} })),
      );
      expect(data.total_count).toBe(stack.truth.totals.products);
      expectThreePartError(await client.callTool({ name: 'get_test_summary', arguments: { test_id: 'x' } }));
      expect(stderr).toContain('MCP server ready on stdio');
      expect(stderr).not.toContain(stack.sandbox.token);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('writes nothing but JSON-RPC to stdout, and exits 0 when the client closes stdin', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: serverEnv({ LOG_LEVEL: 'debug' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'list_products', arguments: { per_page: 1 } },
    });
    send({
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'list_tests', arguments: { product_id: 'nope' } },
    });
    for (let i = 0; i < 600 && lines.length < 3; i += 1) await new Promise((r) => setTimeout(r, 50));
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(lines.length).toBe(3);
    const messages = lines.map(
      (line) => JSON.parse(line) as { jsonrpc: string; id: number; result?: { isError?: boolean } },
    );
    expect(messages.every((m) => m.jsonrpc === '2.0')).toBe(true);
    // Requests run concurrently: answers may come in any order.
    expect(messages.map((m) => m.id).sort()).toEqual([1, 2, 3]);
    expect(messages.find((m) => m.id === 3)?.result?.isError).toBe(true);
    expect(messages.find((m) => m.id === 2)?.result?.isError).toBeUndefined();
  }, 60_000);

  it('with LOG_FILE set, stdout still carries nothing but JSON-RPC and the JSON log lines go to the file too', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcp-log-file-'));
    try {
      const logFile = path.join(dir, 'mcp.log');
      const child = spawn(process.execPath, [BIN, 'serve'], {
        env: serverEnv({ LOG_FILE: logFile, LOG_FORMAT: 'text' }),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const lines: string[] = [];
      let stderr = '';
      createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
      send({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          clientInfo: { name: 'raw', version: '1' },
        },
      });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'list_products', arguments: { per_page: 1 } },
      });
      for (let i = 0; i < 600 && lines.length < 2; i += 1) await new Promise((r) => setTimeout(r, 50));
      child.stdin.end();
      expect(await exited).toBe(0);
      expect(lines.map((line) => (JSON.parse(line) as { id: number }).id).sort()).toEqual([1, 2]);
      const logged = readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string });
      expect(logged.map((l) => l.msg)).toContain('MCP server ready on stdio');
      // stderr keeps its own format (text here); the file is always JSON.
      expect(stderr).toMatch(/INFO {2}MCP server ready on stdio/);
      expect(readFileSync(logFile, 'utf8')).not.toContain(stack.sandbox.token);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('starts despite a mistyped tool name, with a warning naming the closest one', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'serve'],
      env: serverEnv({ ENABLED_TOOLS: 'list_product,search' }),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'vitest-stdio', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['search']);
      expect(stderr).toContain(
        "'list_product' is not a tool of this server; ignored. Did you mean list_products?",
      );
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('Streamable HTTP', () => {
  let server: RunningHttpServer;

  beforeAll(async () => {
    const { container, log } = stack;
    const app = createHttpApp({
      createServer: () => createServer({ services: container.services, logger: log.logger }),
      logger: log.logger,
      bindHost: '127.0.0.1',
      allowedOrigins: ['https://inspector.example.com'],
      health: () => container.health(),
    });
    server = await listen(app, '127.0.0.1', 0);
  });

  afterAll(async () => {
    await server.close();
  });

  async function connectClient(): Promise<Client> {
    const client = new Client({ name: 'vitest-http', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
    return client;
  }

  /** A raw request, so the Host header can be anything. */
  function raw(options: { method: string; path: string; headers?: Record<string, string>; body?: string }) {
    return new Promise<{ status: number; body: string; contentType: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          method: options.method,
          path: options.path,
          headers: options.headers,
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'] ?? '' }),
          );
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  const initialize = JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  });
  const mcpHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

  it('lists and calls the tools, statelessly, for several clients at once', async () => {
    const [a, b] = await Promise.all([connectClient(), connectClient()]);
    try {
      expect((await a.listTools()).tools.map((t) => t.name)).toEqual(DEFAULT_TOOLS);
      const [ra, rb] = await Promise.all([
        a.callTool({ name: 'list_products', arguments: {} }),
        b.callTool({ name: 'list_products', arguments: { per_page: 2 } }),
      ]);
      expect(listProductsOutputSchema.parse(structuredOf(ra)).total_count).toBe(stack.truth.totals.products);
      expect(listProductsOutputSchema.parse(structuredOf(rb)).products).toHaveLength(2);
      expectThreePartError(
        await a.callTool({ name: 'get_product_summary', arguments: { product_id: 424242 } }),
        /list_products/,
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('streams progress notifications of sync_data', async () => {
    const client = await connectClient();
    try {
      const updates: number[] = [];
      const result = await client.callTool({ name: 'sync_data', arguments: {} }, CallToolResultSchema, {
        onprogress: (p) => updates.push(p.progress),
        timeout: 60_000,
      });
      structuredOf(result);
      expect(updates.length).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  }, 60_000);

  it('answers a 2025 call that can only send its result as JSON, and one that could stream as SSE', async () => {
    const call = (id: number, meta?: Record<string, unknown>) =>
      raw({
        method: 'POST',
        path: '/mcp',
        headers: { ...mcpHeaders, 'mcp-protocol-version': '2025-06-18' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'list_products', arguments: { per_page: 2 }, ...(meta ? { _meta: meta } : {}) },
        }),
      });
    const plain = await call(7);
    expect(plain.status).toBe(200);
    expect(plain.contentType).toMatch(/^application\/json/);
    const answer = JSON.parse(plain.body) as { id: number; result: { structuredContent: unknown } };
    expect(answer.id).toBe(7);
    expect(listProductsOutputSchema.parse(answer.result.structuredContent).products).toHaveLength(2);
    // A progress token asks for notifications before the result: that answer stays a stream.
    const withProgress = await call(8, { progressToken: 'p8' });
    expect(withProgress.status).toBe(200);
    expect(withProgress.contentType).toMatch(/^text\/event-stream/);
    const data = withProgress.body
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => JSON.parse(line.slice(6)) as { id?: number; result?: { structuredContent: unknown } });
    const streamed = data.find((message) => message.id === 8);
    expect(listProductsOutputSchema.parse(streamed?.result?.structuredContent).products).toHaveLength(2);
  });

  it('refuses a foreign Host header (DNS rebinding) and a foreign Origin with 403', async () => {
    const evilHost = await raw({
      method: 'POST',
      path: '/mcp',
      headers: { ...mcpHeaders, host: 'evil.example:8080' },
      body: initialize,
    });
    expect(evilHost.status).toBe(403);
    const evilOrigin = await raw({
      method: 'POST',
      path: '/mcp',
      headers: { ...mcpHeaders, origin: 'https://evil.example' },
      body: initialize,
    });
    expect(evilOrigin.status).toBe(403);
    expect(JSON.parse(evilOrigin.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    const nullOrigin = await raw({
      method: 'POST',
      path: '/mcp',
      headers: { ...mcpHeaders, origin: 'null' },
      body: initialize,
    });
    expect(nullOrigin.status).toBe(403);
    const local = await raw({
      method: 'POST',
      path: '/mcp',
      headers: { ...mcpHeaders, host: `localhost:${server.port}`, origin: 'http://localhost:6274' },
      body: initialize,
    });
    expect(local.status).toBe(200);
    const listed = await raw({
      method: 'POST',
      path: '/mcp',
      headers: { ...mcpHeaders, origin: 'https://inspector.example.com' },
      body: initialize,
    });
    expect(listed.status).toBe(200);
  });

  it('answers GET and DELETE on /mcp with 405, bad JSON with a parse error, and /health with the sync state', async () => {
    expect(
      (await raw({ method: 'GET', path: '/mcp', headers: { accept: 'text/event-stream' } })).status,
    ).toBe(405);
    expect((await raw({ method: 'DELETE', path: '/mcp' })).status).toBe(405);
    const bad = await raw({ method: 'POST', path: '/mcp', headers: mcpHeaders, body: '{"jsonrpc": "2.0", ' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ error: { code: -32700 } });
    const health = await raw({ method: 'GET', path: '/health' });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({
      status: 'ok',
      sync: { last_run: { status: 'success' } },
    });
    expect((await raw({ method: 'GET', path: '/health', headers: { host: 'evil.example' } })).status).toBe(
      403,
    );
  });
});
