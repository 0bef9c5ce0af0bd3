import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installIndependentClients,
  runCommand,
  type IndependentClients,
} from './__fixtures__/independent-clients.js';
import { startDemoServer, type DemoServer } from './__fixtures__/demo-server.js';
import { BIN } from './__fixtures__/processes.js';
import { catalogueToolNames } from './__fixtures__/catalogue.js';

/**
 * Our own MCP tests use the official SDK client, which shares its protocol code with the server. These
 * checks use a client built apart from it: the MCP Inspector CLI (stdio and Streamable HTTP, with its
 * `--strict` portability lint of tool schemas). The official conformance suite runs in conformance.test.ts.
 */

let clients: IndependentClients;
let server: DemoServer;

beforeAll(async () => {
  clients = await installIndependentClients();
  server = await startDemoServer('independent');
}, 400_000);

afterAll(async () => {
  await server?.stop();
});

/** `mcp-inspector --cli --format json` against `testio-mcp serve` over stdio, spawned by the Inspector. */
function inspectStdio(args: readonly string[]) {
  const envFlags = Object.entries(server.serverEnv).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  return runCommand(clients.inspector, [
    '--cli',
    '--format',
    'json',
    ...envFlags,
    ...args,
    '--',
    process.execPath,
    BIN,
    'serve',
  ]);
}

function parse(stdout: string): Record<string, unknown> & { result: Record<string, unknown> } {
  return JSON.parse(stdout) as Record<string, unknown> & { result: Record<string, unknown> };
}

describe('MCP Inspector CLI over stdio', () => {
  it('lists every tool, and --strict finds nothing unportable in their schemas', async () => {
    const listed = await inspectStdio(['--method', 'tools/list', '--strict']);
    expect(listed.code, listed.stderr).toBe(0);
    const body = parse(listed.stdout);
    const tools = body.result.tools as { name: string; annotations?: { readOnlyHint?: boolean } }[];
    expect(tools.map((t) => t.name)).toEqual(catalogueToolNames());
    expect(body.schemaFindings ?? []).toEqual([]);
    expect(listed.stderr).not.toMatch(/Warning: tool/);
  }, 120_000);

  it('calls a tool and gets the mirror’s data as structured content', async () => {
    const called = await inspectStdio(['--method', 'tools/call', '--tool-name', 'list_products']);
    expect(called.code, called.stderr).toBe(0);
    const result = parse(called.stdout).result as {
      structuredContent: { total_count: number; products: { id: number }[] };
    };
    const truth = server.sandbox.truth();
    expect(result.structuredContent.total_count).toBe(truth.products.length);
    expect(result.structuredContent.products.map((p) => p.id).sort()).toEqual(
      truth.products.map((p) => p.id).sort(),
    );
  }, 120_000);

  it('reports a bad argument as a tool error (exit 5) with our three-part message', async () => {
    const called = await inspectStdio([
      '--method',
      'tools/call',
      '--tool-name',
      'get_test_summary',
      '--tool-args-json',
      '{"test_id":"abc"}',
    ]);
    expect(called.code).toBe(5);
    const result = parse(called.stdout).result as { isError: boolean; content: { text: string }[] };
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/^❌ Invalid argument 'test_id'[\s\S]*ℹ️[\s\S]*💡/u);
  }, 120_000);

  it('reads a resource and renders a prompt with arguments', async () => {
    const read = await inspectStdio(['--method', 'resources/read', '--uri', 'testio://knowledge/playbook']);
    expect(read.code, read.stderr).toBe(0);
    const contents = parse(read.stdout).result.contents as { text: string }[];
    expect(contents[0]?.text).toMatch(/rejection/i);

    const prompt = await inspectStdio([
      '--method',
      'prompts/get',
      '--prompt-name',
      'analyze-product-quality',
      '--prompt-args',
      'product=portfolio',
    ]);
    expect(prompt.code, prompt.stderr).toBe(0);
    const messages = parse(prompt.stdout).result.messages as { content: { text: string } }[];
    expect(messages.length).toBeGreaterThan(0);
    expect(messages[0]?.content.text).toContain('portfolio');
  }, 120_000);
});

describe('MCP Inspector CLI over Streamable HTTP', () => {
  it('lists the same tools and calls one', async () => {
    const listed = await runCommand(clients.inspector, [
      '--cli',
      '--format',
      'json',
      server.mcpUrl,
      '--method',
      'tools/list',
      '--strict',
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    expect((parse(listed.stdout).result.tools as { name: string }[]).map((t) => t.name)).toEqual(
      catalogueToolNames(),
    );
    expect(parse(listed.stdout).schemaFindings ?? []).toEqual([]);

    const called = await runCommand(clients.inspector, [
      '--cli',
      '--format',
      'json',
      server.mcpUrl,
      '--method',
      'tools/call',
      '--tool-name',
      'get_analytics_capabilities',
    ]);
    expect(called.code, called.stderr).toBe(0);
    expect(JSON.stringify(parse(called.stdout).result.structuredContent)).toContain('dimensions');
  }, 120_000);
});
