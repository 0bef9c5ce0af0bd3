import path from 'node:path';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as Http1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as Client2, StreamableHTTPClientTransport as Http2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { createServer, LIST_TTL_MS } from './server.js';
import { TOOLS } from './tools/index.js';
import { listProductsOutputSchema } from './tools/list-products.js';
import { createHttpApp, listen, type RunningHttpServer } from './transports/http.js';

/**
 * Both protocol eras (ADR 0037): the official SDK client of each generation — 1.x (`initialize`, up to
 * 2025-11-25) and 2.x negotiating 2026-07-28 (`server/discover`, per-request `_meta`) — over stdio (a
 * spawned `testio-mcp serve`) and Streamable HTTP, plus the 2026-07-28 wire rules a gateway relies on.
 */

const BIN = path.resolve(import.meta.dirname, '../../../bin/testio-mcp.mjs');
const DEFAULT_TOOLS = TOOLS.filter((t) => t.aliasOf === undefined && t.toolset !== 'triage').map(
  (t) => t.name,
);
const MODERN = '2026-07-28';

let stack: McpStack;
let http: RunningHttpServer;

beforeAll(async () => {
  stack = await startMcpStack();
  const { container, log } = stack;
  http = await listen(
    createHttpApp({
      createServer: () => createServer({ services: container.services, logger: log.logger }),
      logger: log.logger,
      bindHost: '127.0.0.1',
      health: () => container.health(),
    }),
    '127.0.0.1',
    0,
  );
}, 120_000);

afterAll(async () => {
  await http?.close();
  await stack?.close();
});

function stdioParams() {
  return {
    command: process.execPath,
    args: [BIN, 'serve', '--transport', 'stdio'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...stack.env },
    stderr: 'ignore' as const,
  };
}

/** What both generations of client expose alike. */
interface AnyClient {
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  readResource(params: { uri: string }): Promise<{ contents: Array<{ uri: string; text?: unknown }> }>;
  getPrompt(params: {
    name: string;
    arguments: Record<string, string>;
  }): Promise<{ messages: Array<{ content: unknown }> }>;
  close(): Promise<void>;
}

async function exercise(client: AnyClient): Promise<void> {
  expect((await client.listTools()).tools.map((t) => t.name)).toEqual(DEFAULT_TOOLS);
  const products = listProductsOutputSchema.parse(
    structuredOf((await client.callTool({ name: 'list_products', arguments: {} })) as never),
  );
  expect(products.total_count).toBe(stack.truth.totals.products);
  const playbook = await client.readResource({ uri: 'testio://knowledge/playbook' });
  expect(playbook.contents[0]?.uri).toBe('testio://knowledge/playbook');
  expect(String(playbook.contents[0]?.text)).toMatch(/threshold/i);
  const prompt = await client.getPrompt({ name: 'analyze-product-quality', arguments: { period: '30d' } });
  expect(JSON.stringify(prompt.messages[0]?.content)).toContain('generate_quality_report');
}

describe.each([
  ['stdio', () => new Stdio1(stdioParams()), () => new Stdio2(stdioParams())],
  ['HTTP', () => new Http1(new URL(http.url)), () => new Http2(new URL(http.url))],
] as const)('over %s', (_name, transport1, transport2) => {
  it('serves the 1.x SDK client (initialize, 2025-11-25): tools, a resource, a prompt', async () => {
    const client = new Client1({ name: 'vitest-sdk1', version: '1.0.0' });
    await client.connect(transport1());
    try {
      expect(client.getServerVersion()?.name).toBe('testio-mcp');
      await exercise(client as unknown as AnyClient);
    } finally {
      await client.close();
    }
  }, 120_000);

  it('serves the 2.x SDK client on 2026-07-28 (server/discover, no initialize): the same answers', async () => {
    const client = new Client2(
      { name: 'vitest-sdk2', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    );
    await client.connect(transport2());
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getServerVersion()?.name).toBe('testio-mcp');
      await exercise(client as unknown as AnyClient);
    } finally {
      await client.close();
    }
  }, 120_000);
});

/** A raw JSON-RPC POST as a 2026-07-28 client sends it: the `_meta` envelope and the SEP-2243 headers. */
async function modernPost(
  method: string,
  params: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const name: Record<string, string> =
    typeof params['name'] === 'string' ? { 'mcp-name': params['name'] } : {};
  const response = await fetch(http.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      'mcp-method': method,
      ...name,
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 7,
      method,
      params: {
        ...params,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN,
          'io.modelcontextprotocol/clientCapabilities': {},
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
        },
      },
    }),
  });
  const text = await response.text();
  // A JSON body, or one SSE `data:` line carrying the answer.
  const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? '{}');
  return { status: response.status, body: JSON.parse(json) as Record<string, unknown> };
}

describe('2026-07-28 on the wire (HTTP)', () => {
  it('answers server/discover without any initialize, naming the revisions and the server', async () => {
    const { status, body } = await modernPost('server/discover', {});
    expect(status).toBe(200);
    const result = body['result'] as Record<string, unknown>;
    expect(result['supportedVersions']).toContain(MODERN);
    expect(result['capabilities']).toMatchObject({ tools: {}, prompts: {}, resources: {} });
    expect(JSON.stringify(result['_meta'])).toContain('testio-mcp');
  });

  it('answers a tools/call carrying its version and capabilities in _meta, with no session', async () => {
    const { status, body } = await modernPost('tools/call', {
      name: 'list_products',
      arguments: { per_page: 1 },
    });
    expect(status).toBe(200);
    const result = body['result'] as { structuredContent: unknown; isError?: boolean };
    expect(result.isError).toBeUndefined();
    expect(listProductsOutputSchema.parse(result.structuredContent).total_count).toBe(
      stack.truth.totals.products,
    );
  });

  it('lets clients cache the lists: ttlMs and cacheScope on tools/list, prompts/list and resources/list', async () => {
    const tools = (await modernPost('tools/list', {})).body['result'] as Record<string, unknown>;
    expect(tools).toMatchObject({ ttlMs: LIST_TTL_MS, cacheScope: 'private' });
    expect((tools['tools'] as unknown[]).length).toBe(DEFAULT_TOOLS.length);
    expect((await modernPost('prompts/list', {})).body['result']).toMatchObject({
      ttlMs: LIST_TTL_MS,
      cacheScope: 'public',
    });
    expect((await modernPost('resources/list', {})).body['result']).toMatchObject({
      ttlMs: LIST_TTL_MS,
      cacheScope: 'public',
    });
  });

  it('refuses a request whose Mcp-Method or Mcp-Name header disagrees with its body', async () => {
    const method = await modernPost('tools/list', {}, { 'mcp-method': 'prompts/list' });
    expect(method.status).toBe(400);
    expect((method.body['error'] as { code: number }).code).toBe(-32020);
    const name = await modernPost(
      'tools/call',
      { name: 'list_products', arguments: {} },
      { 'mcp-name': 'list_bugs' },
    );
    expect(name.status).toBe(400);
    expect((name.body['error'] as { code: number }).code).toBe(-32020);
  });

  it('answers GET and DELETE on the endpoint with 405, for 2026-07-28 and for 2025-era clients', async () => {
    for (const version of [MODERN, '2025-11-25', '2025-06-18', '2025-03-26']) {
      for (const method of ['GET', 'DELETE']) {
        const response = await fetch(http.url, {
          method,
          headers: { accept: 'application/json, text/event-stream', 'mcp-protocol-version': version },
        });
        expect(response.status, `${method} ${version}`).toBe(405);
        expect(response.headers.get('allow')).toBe('POST');
      }
    }
  });

  it('still answers the initialize handshake of 2025-11-25, 2025-06-18 and 2025-03-26 clients', async () => {
    for (const version of ['2025-11-25', '2025-06-18', '2025-03-26']) {
      const response = await fetch(http.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
        }),
      });
      const text = await response.text();
      const body = JSON.parse(text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? '{}')) as {
        result: { protocolVersion: string; serverInfo: { name: string } };
      };
      expect(body.result.protocolVersion).toBe(version);
      expect(body.result.serverInfo.name).toBe('testio-mcp');
    }
  });
});
