import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, connectMcp } from '../mcp.js';
import { pick, rng } from '../mirror.js';
import { announce, FULL, runs, SEED } from './__fixtures__/config.js';
import { expectConsistent, expectMatchesTruth } from './__fixtures__/mirror-checks.js';
import { RELIABILITY_ENGINES } from './__fixtures__/engines.js';
import { knownIds } from './__fixtures__/samples.js';
import type { KnownIds } from './__fixtures__/arbitraries.js';
import { startStack, type Stack } from './__fixtures__/stack.js';

/**
 * Concurrent MCP (SDK client over HTTP) and REST clients while `testio-mcp sync --force` rewrites the
 * mirror from another process: every request succeeds, and no busy database reaches a client. On SQLite
 * that is SQLITE_BUSY (`database_busy`); on PostgreSQL a deadlock, a serialization failure, a lock
 * timeout or a pool with no connection to give.
 */

const CLIENTS = runs(3, 6);
const SYNCS = runs(1, 3);
const BUSY =
  /SQLITE_BUSY|database is locked|database_busy|deadlock detected|could not serialize access|lock timeout|timeout exceeded when trying to connect|too many clients/i;

let stack: Stack;
let mcpUrl: string;
let restBase: string;
let ids: KnownIds;

interface Tally {
  ok: number;
  failed: string[];
}

function mcpCall(random: () => number): [string, Record<string, unknown>] {
  const calls: Array<() => [string, Record<string, unknown>]> = [
    () => ['list_products', {}],
    () => ['list_tests', { product_id: pick(random, ids.productIds), per_page: 50 }],
    () => ['get_test_summary', { test_id: pick(random, ids.testIds) }],
    () => ['list_bugs', { test_ids: [pick(random, ids.testIds), pick(random, ids.testIds)] }],
    () => ['get_bug_summary', { bug_id: pick(random, ids.bugIds) }],
    () => ['get_product_summary', { product_id: pick(random, ids.productIds) }],
    () => ['search', { query: pick(random, ids.words) }],
    () => ['list_users', { days: 3650 }],
    () => ['get_server_diagnostics', { check_api: false, include_sync_events: true }],
  ];
  return pick(random, calls)();
}

function restPath(random: () => number): string {
  const paths = [
    () => '/api/products',
    () => `/api/products/${pick(random, ids.productIds)}/tests?per_page=50`,
    () => `/api/tests/${pick(random, ids.testIds)}/summary`,
    () => `/api/bugs?test_ids=${pick(random, ids.testIds)},${pick(random, ids.testIds)}`,
    () => `/api/bugs/${pick(random, ids.bugIds)}/summary`,
    () => `/api/search?query=${encodeURIComponent(pick(random, ids.words))}`,
    () => `/api/products/${pick(random, ids.productIds)}/summary`,
    () => '/api/sync/history',
    () => '/health',
  ];
  return pick(random, paths)();
}

describe.each(RELIABILITY_ENGINES)('load while syncing, on $name', ({ name: engine }) => {
  beforeAll(async () => {
    announce('load while syncing', { engine, clientsPerSurface: CLIENTS, fullSyncs: SYNCS });
    stack = await startStack({ scale: 'small', engine });
    const first = await stack.run(['sync', '--force'], { LOG_LEVEL: 'warn' });
    expect(first.code, first.err).toBe(0);
    ids = await knownIds(stack);
    mcpUrl = (await stack.startMcp()).url;
    restBase = (await stack.startRest()).base;
  }, 600_000); // a first sync and two server starts: minutes on a loaded two-core CI machine

  afterAll(async () => {
    await stack?.close();
  });

  it('MCP and REST clients see no failure and no busy database during full syncs', async () => {
    const mcp: Tally = { ok: 0, failed: [] };
    const rest: Tally = { ok: 0, failed: [] };
    let syncing = true;
    const deadline = Date.now() + (FULL ? 900_000 : 150_000);
    const clients: Client[] = [];
    for (let i = 0; i < CLIENTS; i++)
      clients.push(await connectMcp(mcpUrl, `load-${i}`, stack.secrets.apiKey));

    const mcpLoop = async (client: Client, seed: number) => {
      const random = rng(seed);
      for (let n = 0; n < 100_000 && syncing && Date.now() < deadline; n++) {
        const [name, args] = mcpCall(random);
        try {
          const answer = await callTool(client, name, args, 60_000);
          if (answer.isError || BUSY.test(answer.text))
            mcp.failed.push(`${name} ${JSON.stringify(args)}: ${answer.text.slice(0, 200)}`);
          else mcp.ok++;
        } catch (error) {
          mcp.failed.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    };
    const restLoop = async (seed: number) => {
      const random = rng(seed);
      for (let n = 0; n < 100_000 && syncing && Date.now() < deadline; n++) {
        const path = restPath(random);
        try {
          const response = await fetch(`${restBase}${path}`, {
            headers: { 'X-API-Key': stack.secrets.apiKey },
          });
          const text = await response.text();
          if (response.status !== 200 || BUSY.test(text))
            rest.failed.push(`${path} → ${response.status} ${text.slice(0, 200)}`);
          else rest.ok++;
        } catch (error) {
          rest.failed.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    };

    const loops = [
      ...clients.map((c, i) => mcpLoop(c, SEED + i)),
      ...Array.from({ length: CLIENTS }, (_, i) => restLoop(SEED + 100 + i)),
    ];
    const outcomes: string[] = [];
    try {
      for (let i = 0; i < SYNCS; i++) {
        const sync = await stack.run(['sync', '--force'], { LOG_LEVEL: 'warn' });
        outcomes.push(`${sync.code}:${/outcome\s+(\w+)/.exec(sync.out)?.[1] ?? '?'}`);
        expect(sync.code, sync.out + sync.err).toBe(0);
      }
    } finally {
      syncing = false;
      await Promise.all(loops);
      await Promise.all(clients.map((c) => c.close()));
    }
    console.error(
      `[reliability] load while syncing: ${mcp.ok} MCP calls and ${rest.ok} REST requests succeeded during ${SYNCS} full sync(s) (${outcomes.join(', ')}); failures: ${mcp.failed.length + rest.failed.length}`,
    );
    expect(mcp.failed.slice(0, 5)).toEqual([]);
    expect(rest.failed.slice(0, 5)).toEqual([]);
    expect(mcp.ok).toBeGreaterThan(0);
    expect(rest.ok).toBeGreaterThan(0);
    // The lines that say busy, not the whole output (which the assertion message would cut short).
    const busyLines = stack
      .output()
      .split('\n')
      .filter((line) => BUSY.test(line));
    expect(busyLines.slice(0, 5)).toEqual([]);
    await expectConsistent(stack);
    await expectMatchesTruth(stack, stack.sandbox.truth());
  }, 1_800_000);
});
