import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, connectMcp } from '../mcp.js';
import { argumentsFor, nastyValue, type KnownIds } from './__fixtures__/arbitraries.js';
import { announce, FULL, runs, SEED } from './__fixtures__/config.js';
import { ENGINE_INTERNALS, RELIABILITY_ENGINES } from './__fixtures__/engines.js';
import { knownIds } from './__fixtures__/samples.js';
import { findSecret } from './__fixtures__/secrets.js';
import { startStack, type Stack } from './__fixtures__/stack.js';

/**
 * Every MCP tool, through `serve --transport http` and the SDK client, with generated arguments. Each
 * answer is a result that matches the tool's output schema (the SDK client checks structuredContent
 * against it) or the documented three-line error; never an internal error, never a secret; the
 * server stays up. On both engines: the same tools over a SQLite file and over PostgreSQL.
 */

let stack: Stack;
let client: Client;
let ids: KnownIds;
let tools: Array<{ name: string; properties: Record<string, object> }>;
const RUNS = runs(250, 3_000);
const SYNC_RUNS = runs(15, 150);

async function check(name: string, args: Record<string, unknown>): Promise<void> {
  let answer: Awaited<ReturnType<typeof callTool>>;
  try {
    answer = await callTool(client, name, args, 60_000);
  } catch (error) {
    // A protocol error: an output that broke its schema, a transport failure, a crash.
    throw new Error(
      `${name} ${JSON.stringify(args).slice(0, 300)} threw: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const everything = `${answer.text}\n${JSON.stringify(answer.structured ?? null)}`;
  expect(findSecret(everything, stack.secrets), `${name} answer leaks a secret`).toBeNull();
  if (answer.isError) {
    expect(answer.text, `${name} ${JSON.stringify(args).slice(0, 300)}`).toMatch(/^❌ /);
    expect(answer.text, `${name} ${JSON.stringify(args).slice(0, 300)}: internal error`).not.toMatch(
      /Internal error \(reference/,
    );
    expect(answer.text).not.toMatch(ENGINE_INTERNALS);
    expect(answer.text).not.toMatch(/at .*\.ts:\d+|node_modules/);
  } else {
    expect(answer.structured, `${name}: no structuredContent`).toBeTypeOf('object');
  }
}

describe.each(RELIABILITY_ENGINES)('MCP tools under generated input, on $name', ({ name: engine }) => {
  beforeAll(async () => {
    announce('fuzz MCP', { engine, runsPerTool: RUNS, syncDataRuns: SYNC_RUNS });
    stack = await startStack({ scale: FULL ? 'small' : 'demo', engine });
    const sync = await stack.run(['sync', '--force']);
    expect(sync.code, sync.err).toBe(0);
    ids = await knownIds(stack);
    const server = await stack.startMcp();
    client = await connectMcp(server.url, 'reliability-fuzz', stack.secrets.apiKey);
    tools = (await client.listTools()).tools.map((t) => ({
      name: t.name,
      properties: (t.inputSchema.properties ?? {}) as Record<string, object>,
    }));
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await stack?.close();
  });

  it('lists the 14 tools', () => {
    expect(tools.length).toBeGreaterThanOrEqual(14);
  });

  it('every read tool answers a valid result or the documented error, for any arguments', async () => {
    for (const tool of tools.filter((t) => t.name !== 'sync_data')) {
      await fc.assert(
        fc.asyncProperty(argumentsFor(tool.properties, ids), (args) => check(tool.name, args)),
        { numRuns: RUNS, seed: SEED },
      );
    }
  }, 600_000);

  it('sync_data answers a result or the documented error (a conflict while one runs)', async () => {
    const tool = tools.find((t) => t.name === 'sync_data');
    expect(tool).toBeDefined();
    await fc.assert(
      fc.asyncProperty(argumentsFor(tool?.properties ?? {}, ids), (args) => check('sync_data', args)),
      { numRuns: SYNC_RUNS, seed: SEED },
    );
  }, 600_000);

  it('unknown tool names and odd argument names are refused with the documented error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom(...tools.map((t) => t.name)), fc.string({ maxLength: 60 })),
        fc.dictionary(fc.string({ maxLength: 10 }), nastyValue, { maxKeys: 4 }),
        async (name, args) => {
          await check(name, args);
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  }, 300_000);

  it('is still serving, logged no error, and never printed a secret', async () => {
    const health = await callTool(client, 'get_server_diagnostics', { check_api: false });
    expect(health.isError).toBe(false);
    const output = stack.output();
    expect(findSecret(output, stack.secrets), 'a secret in the logs').toBeNull();
    const errorLines = output.split('\n').filter((line) => /"level":(50|60)/.test(line));
    expect(errorLines.slice(0, 5)).toEqual([]);
  }, 60_000);
});
