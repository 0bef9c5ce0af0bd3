import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, CreateTaskResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { openPostgresDatabase } from '@testio-mcp/persistence';
import { createEmptyPgDatabase } from '@testio-mcp/persistence/testing';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callTool, connectMcp } from '../mcp.js';
import { launchCli, productEnv, type Launched } from '../process.js';
import { BENCH_ANCHOR, BENCH_SEED } from '../sandbox.js';
import { startTopology, type Topology } from './topology.js';

/**
 * The multi-instance layout (ADR 0036) from real processes: a PostgreSQL database, the sandbox, a worker,
 * two `serve --transport http` instances and Debian's nginx in front. The worker is SIGKILLed mid-sync and a
 * second one finishes at the sandbox's truth; clients through the proxy get what a single SQLite server
 * answers; under load one instance is SIGKILLed and the other keeps answering.
 */

let sandbox: RunningSandbox;
let dir: string;
let drop: () => Promise<void>;
let databaseUrl: string;
let topology: Topology;
let single: { proc: Launched; url: string } | undefined;

interface Health {
  status: string;
  database: { engine: string; reachable: boolean };
  sync: { running: boolean; last_run_status: string | null; last_success_at: string | null } | null;
}

async function health(base: string): Promise<Health> {
  const res = await fetch(`${base}/health`);
  return (await res.json()) as Health;
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  context: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${context()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Fields that say when something was read or how old it is: they differ between two mirrors of one account. */
const VOLATILE = /(synced|as_of|_seen|fetched|age_|_age|generated|cache|freshness|duration|elapsed|uptime)/i;

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => !VOLATILE.test(k))
        .map(([k, v]) => [k, stable(v)]),
    );
  return value;
}

/**
 * A search answer as both engines must agree on it: the same hits (type, id, title match) and totals.
 * Scores, snippets and so the order among hits are each engine's own (ADR 0030).
 */
function searchHits(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.every((v) => v && typeof v === 'object' && 'entity_id' in v)) {
      return (value as { entity_type: string; entity_id: number; title_match: boolean }[])
        .map((h) => `${h.entity_type} ${h.entity_id} ${h.title_match}`)
        .sort();
    }
    return value.map(searchHits);
  }
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([k]) => k !== 'score' && k !== 'snippet')
        .map(([k, v]) => [k, searchHits(v)]),
    );
  return value;
}

beforeAll(async () => {
  // Latency on every API call, so the first sync lasts long enough to be killed in the middle.
  sandbox = await startSandbox({
    port: 0,
    host: '127.0.0.1',
    seed: BENCH_SEED,
    scale: 'demo',
    anchor: BENCH_ANCHOR,
    faults: { latencyMs: 300 },
  });
  dir = mkdtempSync(join(tmpdir(), 'testio-topology-'));
  const db = await createEmptyPgDatabase();
  drop = db.drop;
  databaseUrl = db.url;
  topology = await startTopology({ sandbox, dir, instances: 2, databaseUrl });
}, 240_000);

afterAll(async () => {
  await single?.proc.stop(5_000);
  await topology?.stop();
  await drop?.();
  await sandbox?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two instances and a worker on PostgreSQL behind nginx', () => {
  it('each instance says it uses PostgreSQL and reaches it, directly and through the proxy', async () => {
    for (const instance of topology.instances) {
      expect((await health(instance.url)).database).toEqual({ engine: 'postgresql', reachable: true });
    }
    expect((await health(topology.url)).database).toEqual({ engine: 'postgresql', reachable: true });
  });

  it('a worker SIGKILLed mid-sync is replaced by a second one, which ends at the sandbox truth', async () => {
    const [first] = topology.workers;
    await until(
      'the first sync to run',
      async () => ((await health(topology.url)).sync?.running ? true : undefined),
      60_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    first?.child.kill('SIGKILL');
    await first?.exited;
    const afterKill = (await health(topology.url)).sync;
    expect(afterKill?.last_success_at, JSON.stringify(afterKill)).toBeNull();

    sandbox.setFaults({});
    const second = topology.startWorker();
    // On PostgreSQL the lease of a dead worker is taken over when it expires (up to a minute).
    await until(
      'the second worker to finish a sync',
      async () => ((await health(topology.url)).sync?.last_run_status === 'success' ? true : undefined),
      240_000,
      () => second.err().slice(-3000),
    );
    expect(second.child.exitCode).toBeNull();

    const db = await openPostgresDatabase({ url: databaseUrl, customerId: 1 });
    try {
      const mirror = await db.queries.countsForTruthComparison();
      const truth = sandbox.truth();
      expect(mirror.totals.tests).toBe(truth.totals.tests);
      expect(mirror.totals.bugs).toBe(truth.totals.bugs);
      expect(mirror.products.map((p) => [p.id, p.tests, p.bugs])).toEqual(
        [...truth.products].sort((a, b) => a.id - b.id).map((p) => [p.id, p.tests, p.bugs]),
      );
    } finally {
      await db.close();
    }
  }, 330_000);

  it('answers through the proxy what a single SQLite server answers on the same account', async () => {
    const sqliteDir = join(dir, 'single');
    const env = productEnv(sandbox, join(sqliteDir, 'mirror.db'));
    const sync = launchCli(['sync', '--force'], { env, cwd: dir });
    expect((await sync.exited).code, sync.err().slice(-2000)).toBe(0);
    // Kept before it is ready, so afterAll stops it even when it never gets there.
    const proc = launchCli(['serve', '--transport', 'http'], { env, cwd: dir });
    single = { proc, url: '' };
    const ready = await proc.waitFor(/MCP server ready at (http:\/\/127\.0\.0\.1:\d+\/mcp)/, 120_000);
    single = { proc, url: ready[1] as string };
    const singleBase = new URL(single.url).origin;

    const viaProxy = await connectMcp(topology.mcpUrl, 'topology-test');
    const alone = await connectMcp(single.url, 'topology-test');
    try {
      const products = await callTool(alone, 'list_products', {});
      const productIds = (products.structured as { products: { id: number }[] }).products.map((p) => p.id);
      expect(productIds.length).toBeGreaterThan(0);
      let testId: number | undefined;
      for (const id of productIds) {
        const tests = await callTool(alone, 'list_tests', { product_id: id });
        testId ??= (tests.structured as { tests: { test_id: number }[] }).tests[0]?.test_id;
      }
      expect(testId).toBeDefined();
      const calls: [string, Record<string, unknown>][] = [
        ['list_products', {}],
        ...productIds.map((id): [string, Record<string, unknown>] => ['list_tests', { product_id: id }]),
        ['get_test_summary', { test_id: testId }],
        ['list_bugs', { test_ids: [testId] }],
        // Every hit on one page, so the engines' different rankings cannot pick different pages.
        ['search', { query: 'checkout', limit: 100 }],
        ['get_product_summary', { product_id: productIds[0] }],
      ];
      for (const [name, args] of calls) {
        const expected = await callTool(alone, name, args);
        expect(expected.isError, `${name} ${expected.text}`).toBe(false);
        const got = await callTool(viaProxy, name, args);
        const same = name === 'search' ? (v: unknown) => searchHits(stable(v)) : stable;
        expect(same(got.structured), name).toEqual(same(expected.structured));
      }
      for (const path of [
        '/api/products',
        `/api/products/${productIds[0]}/summary`,
        `/api/tests/${testId}/summary`,
      ]) {
        const [a, b] = await Promise.all([fetch(`${singleBase}${path}`), fetch(`${topology.url}${path}`)]);
        expect(b.status, path).toBe(a.status);
        expect(stable(await b.json()), path).toEqual(stable(await a.json()));
      }
    } finally {
      await viaProxy.close();
      await alone.close();
    }
  }, 300_000);

  it('runs sync_data as a task through the proxy: polled on both instances to the plain call’s result; cancelled through the other instance', async () => {
    // The worker would hold the lease, and the tool's sync would wait for it: this test syncs alone.
    await Promise.all(topology.workers.map((w) => w.stop(5_000)));
    const answeredBy: string[] = [];
    const client = await connectMcp(
      topology.mcpUrl,
      'topology-tasks',
      undefined,
      (inner) => async (url, init) => {
        const res = await inner(url, init);
        const upstream = res.headers.get('x-upstream');
        if (upstream) answeredBy.push(upstream);
        return res;
      },
    );
    /** The call's answer and the instance (host:port) that answered it. */
    const via = async <T>(call: () => Promise<T>): Promise<{ value: T; instance: string | undefined }> => {
      const before = answeredBy.length;
      const value = await call();
      return { value, instance: answeredBy.slice(before).at(-1) };
    };
    const args = { since: '2000-01-01' };
    const startTask = () =>
      via(() =>
        client.request(
          { method: 'tools/call', params: { name: 'sync_data', arguments: args, task: { ttl: 600_000 } } },
          CreateTaskResultSchema,
        ),
      );
    const hosts = topology.instances.map((i) => new URL(i.url).host);
    try {
      // First a plain call, so the mirror is complete whichever tests ran before: the task and the plain
      // call after it then find the same data and answer the same counts.
      expect((await callTool(client, 'sync_data', args)).isError).toBe(false);
      // Latency on every API call: the sync lasts several polls.
      sandbox.setFaults({ latencyMs: 150 });
      const created = await startTask();
      const { taskId } = created.value.task;
      const polledOn = new Set<string>();
      let status = created.value.task.status;
      for (let i = 0; i < 240 && status === 'working'; i++) {
        await new Promise((r) => setTimeout(r, 250));
        const poll = await via(() => client.experimental.tasks.getTask(taskId));
        status = poll.value.status;
        if (poll.instance) polledOn.add(poll.instance);
      }
      expect(status).toBe('completed');
      // Round robin: the polls landed on both instances, the one running the sync and the other.
      expect([...polledOn].sort()).toEqual([...hosts].sort());
      const viaTask = await via(() => client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema));
      sandbox.setFaults({});
      const plain = await callTool(client, 'sync_data', args);
      expect(plain.isError, plain.text).toBe(false);
      const withoutRun = (v: unknown) => ({
        ...(stable(v) as Record<string, unknown>),
        run_id: undefined,
        started_at: undefined,
        finished_at: undefined,
      });
      expect(withoutRun(viaTask.value.structuredContent)).toEqual(withoutRun(plain.structured));
      expect((viaTask.value.structuredContent as { status: string }).status).toBe('success');

      // A second task, cancelled on the instance that does not run it.
      sandbox.setFaults({ latencyMs: 300 });
      const second = await startTask();
      const holder = topology.instances.find((i) => new URL(i.url).host === second.instance);
      const other = topology.instances.find((i) => i !== holder);
      expect(holder && other).toBeTruthy();
      const direct = await connectMcp(`${other?.url}/mcp`, 'topology-cancel');
      try {
        const cancelled = await direct.experimental.tasks.cancelTask(second.value.task.taskId);
        expect(cancelled.status).toBe('cancelled');
      } finally {
        await direct.close();
      }
      expect((await client.experimental.tasks.getTask(second.value.task.taskId)).status).toBe('cancelled');
      await holder?.proc.waitFor(/task cancel requested on another instance/, 5_000);
      const interrupted = await client.experimental.tasks.getTaskResult(
        second.value.task.taskId,
        CallToolResultSchema,
      );
      // The holder stored the task as cancelled once its sync had stopped: the run ended interrupted.
      expect((interrupted.structuredContent as { status?: string } | undefined)?.status).toBe('interrupted');
    } finally {
      sandbox.setFaults({});
      await client.close();
    }
  }, 180_000);

  it('keeps answering under load when one instance is SIGKILLed: no REST read fails, MCP fails only in flight', async () => {
    const productId = (
      (await (await fetch(`${topology.url}/api/products`)).json()) as { products: { id: number }[] }
    ).products[0]?.id;
    let killing = false;
    let killedAt = 0;
    let stopAt = Number.POSITIVE_INFINITY;
    const rest = { ok: 0, failed: [] as string[] };
    const mcp = { ok: 0, failedBefore: [] as string[], failedInFlight: 0, failedAfter: [] as string[] };

    const restLoop = async () => {
      while (Date.now() < stopAt) {
        const res = await fetch(`${topology.url}/api/products/${productId}/summary`).catch((e: Error) => e);
        if (res instanceof Error || res.status !== 200)
          rest.failed.push(res instanceof Error ? res.message : String(res.status));
        else rest.ok++;
        if (!(res instanceof Error)) await res.arrayBuffer().catch(() => undefined);
      }
    };
    const mcpLoop = async (client: Client) => {
      while (Date.now() < stopAt) {
        const sent = Date.now();
        try {
          const answer = await callTool(client, 'list_tests', { product_id: productId }, 30_000);
          if (answer.isError) throw new Error(answer.text);
          mcp.ok++;
        } catch (error) {
          // A call already on the killed instance when it died has nobody to answer it; nginx does not
          // resend a POST it already sent (a tool call may write). Every later call must succeed.
          if (!killing) mcp.failedBefore.push((error as Error).message);
          else if (killedAt === 0 || sent <= killedAt) mcp.failedInFlight++;
          else mcp.failedAfter.push((error as Error).message);
        }
      }
    };
    const clients = await Promise.all([1, 2, 3].map((i) => connectMcp(topology.mcpUrl, `load-${i}`)));
    try {
      const load = Promise.all([...clients.map(mcpLoop), restLoop(), restLoop(), restLoop()]);
      await new Promise((r) => setTimeout(r, 2_000));
      const victim = topology.instances[0];
      killing = true;
      victim?.proc.child.kill('SIGKILL');
      await victim?.proc.exited;
      // The instance is known dead from here: a call sent earlier may have reached it just before.
      killedAt = Date.now();
      stopAt = Date.now() + 4_000;
      await load;
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
    expect(rest.failed).toEqual([]);
    expect(mcp.failedBefore).toEqual([]);
    expect(mcp.failedAfter).toEqual([]);
    expect(mcp.failedInFlight).toBeLessThanOrEqual(clients.length);
    expect(rest.ok).toBeGreaterThan(0);
    expect(mcp.ok).toBeGreaterThan(0);
    // The survivor answers alone now, health included.
    expect((await health(topology.url)).database).toEqual({ engine: 'postgresql', reachable: true });
    expect((await health(topology.instances[1]?.url ?? '')).status).not.toBe('error');
  }, 120_000);
});
