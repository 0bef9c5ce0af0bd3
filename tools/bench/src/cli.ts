import { parseArgs } from 'node:util';
import { runChartsBenchmark } from './benchmarks/charts.js';
import { runPersistenceBenchmark } from './benchmarks/persistence.js';
import { runRestBenchmark } from './benchmarks/rest.js';
import { runSearchBenchmark } from './benchmarks/search.js';
import { runServeSyncBenchmark } from './benchmarks/serve-sync.js';
import { runSoakBenchmark } from './benchmarks/soak.js';
import { runSyncBenchmark } from './benchmarks/sync.js';
import { runToolsBenchmark } from './benchmarks/tools.js';
import { parseEngineOptions } from './engine.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { currentBin, currentNodeFlags, setBin, setNodeFlags } from './process.js';
import { SCALES, type Scale } from './sandbox.js';

/**
 * `npm run bench -- <sync|tools|rest|search> [--scale small|medium|large] [options]`
 * Prints a table on stdout, progress on stderr, and writes JSON under bench-results/. Never asserts.
 */

const USAGE = `usage: npm run bench -- <benchmark> [options]

benchmarks:
  sync     full + incremental sync from the sandbox with latency      (default --scale small)
  tools    every MCP tool over HTTP with the SDK client, vs the SQL floor (default --scale medium);
           --engine sqlite|postgres, --instances N
  rest     REST endpoints under autocannon load on one core (reads on the loop), two cores (loop), two
           cores (read pool), head-of-line under a heavy analytics loop, and during a sync (default --scale medium);
           on PostgreSQL one server configuration (or N instances behind nginx) instead of the three
  search   FTS query latency by query kind, SQL and through MCP          (default --scale large)
  persistence  production queries through raw better-sqlite3 vs Prisma Client (default --scale small)
  serve-sync  serve on an empty mirror: time to the first list_tests, tool latency during its
              own first sync and idle                                  (default --scale small)
  charts   a chart of 1,000 rows of each kind: table to SVG, SVG to PNG, in process (no mirror)
  soak     at once on one mirror: a server through --calls tool calls from --clients SDK clients
           (default 100000 calls, 4 clients) and the worker through --cycles incremental syncs with small
           upstream changes (default 1000): RSS and heap growth after warm-up, process warnings (default --scale small)

options:
  --scale demo|small|medium|large
  --latency-ms N      sandbox latency for sync and serve-sync (default 50) and for the sync during rest load (default 0)
  --concurrency N     MAX_CONCURRENT_API_REQUESTS of the sync (default 10)
  --calls N           measured calls per tool (tools, default 300; serve-sync idle, default 30) / queries per kind (search, default 200) / calls per query and side (persistence, default 200) / server calls (soak, default 100000) / renders per chart (charts, default 20)
  --cycles N          soak: incremental syncs of the worker (default 1000, one a second at the least)
  --clients N         soak: concurrent SDK clients of the server (default 4)
  --analytics-calls N tools: measured calls per analytics tool (quality reports, metrics; default 30)
  --duration N        seconds of load per endpoint and phase (rest, default 5)
  --connections N     concurrent connections (rest, default 10)
  --light-calls N     rest: light calls per head-of-line phase (default 200)
  --read-workers N    rest: TESTIO_READ_WORKERS of the pool server (default: the product's default)
  --no-mcp            search: time the SQL only
  --tools a,b         tools: measure only these tools (default every tool)
  --write-between     tools: before each call, commit a write to the mirror from another connection (as a
                      sync does), so caches keyed on the database's change counter are always cold
  --engine sqlite|postgres  tools, rest: the database the servers read (default sqlite). postgres: a fresh
                      database on TESTIO_BENCH_DATABASE_URL's server (else TESTIO_TEST_DATABASE_URL's), cloned
                      from a template database holding the cached mirror (built once per scale with db copy)
  --instances N       tools, rest with --engine postgres: N serve --transport http instances on the one
                      database behind nginx, the clients on the proxy (default 1: one instance, no proxy)
  --fresh             rebuild the cached mirror under bench-results/cache/ (and the PostgreSQL template)
  --no-heap-flags     launch testio-mcp with plain node, without the V8 heap limits testio-mcp start uses
  --bin PATH          launch this testio-mcp entry, not the checkout's bin/testio-mcp.mjs (TypeScript through tsx):
                      e.g. <dir>/node_modules/testio-mcp/dist/testio-mcp.mjs, the package (npm run package) installed
`;

const DEFAULT_SCALE: Record<string, Scale> = {
  sync: 'small',
  tools: 'medium',
  rest: 'medium',
  search: 'large',
  'serve-sync': 'small',
  soak: 'small',
  persistence: 'small',
  charts: 'small',
};

function intFlag(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} '${value}' must be a whole number ≥ ${min}`);
  return n;
}

export async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      scale: { type: 'string' },
      'latency-ms': { type: 'string' },
      concurrency: { type: 'string' },
      calls: { type: 'string' },
      'analytics-calls': { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      'light-calls': { type: 'string' },
      'read-workers': { type: 'string' },
      cycles: { type: 'string' },
      clients: { type: 'string' },
      'no-mcp': { type: 'boolean' },
      tools: { type: 'string' },
      'write-between': { type: 'boolean' },
      fresh: { type: 'boolean' },
      engine: { type: 'string' },
      instances: { type: 'string' },
      'no-heap-flags': { type: 'boolean' },
      bin: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const name = positionals[0];
  if (values.help || name === undefined) {
    process.stdout.write(USAGE);
    return name === undefined && !values.help ? 2 : 0;
  }
  const fallbackScale = DEFAULT_SCALE[name];
  if (!fallbackScale)
    throw new Error(
      `unknown benchmark '${name}': one of sync, tools, rest, search, serve-sync, soak, persistence, charts`,
    );
  const scale = (values.scale ?? fallbackScale) as Scale;
  if (!SCALES.includes(scale))
    throw new Error(`--scale '${values.scale}' must be one of ${SCALES.join(', ')}`);
  const fresh = values.fresh === true;
  const engine = parseEngineOptions(values);
  if ((engine.engine !== 'sqlite' || values.instances !== undefined) && name !== 'tools' && name !== 'rest')
    throw new Error(
      `--engine and --instances apply to tools and rest only: '${name}' reads the SQLite mirror itself. Leave them out, or run tools or rest`,
    );
  if (values['no-heap-flags'] === true) setNodeFlags([]);
  if (values.bin !== undefined) {
    const bin = resolve(values.bin);
    if (!existsSync(bin))
      throw new Error(
        `--bin ${bin} does not exist: give the path of an installed package's dist/testio-mcp.mjs (npm run package, then npm install the tarball into a folder)`,
      );
    setBin(bin);
  }
  process.stderr.write(
    `testio-mcp processes run with node ${currentNodeFlags().join(' ') || '(no flags)'} ${currentBin()}\n`,
  );
  switch (name) {
    case 'sync':
      await runSyncBenchmark({
        scale,
        latencyMs: intFlag(values['latency-ms'], 'latency-ms', 50, 0),
        concurrency: intFlag(values.concurrency, 'concurrency', 10, 1),
      });
      break;
    case 'tools':
      await runToolsBenchmark({
        scale,
        calls: intFlag(values.calls, 'calls', 300, 1),
        analyticsCalls: intFlag(values['analytics-calls'], 'analytics-calls', 30, 1),
        fresh,
        only: values.tools?.split(',').map((t) => t.trim()),
        writeBetween: values['write-between'] === true,
        ...engine,
      });
      break;
    case 'rest':
      await runRestBenchmark({
        scale,
        durationSeconds: intFlag(values.duration, 'duration', 5, 1),
        connections: intFlag(values.connections, 'connections', 10, 1),
        latencyMs: intFlag(values['latency-ms'], 'latency-ms', 0, 0),
        fresh,
        lightCalls: intFlag(values['light-calls'], 'light-calls', 200, 1),
        ...engine,
        ...(values['read-workers'] === undefined
          ? {}
          : { readWorkers: intFlag(values['read-workers'], 'read-workers', 0, 0) }),
      });
      break;
    case 'serve-sync':
      await runServeSyncBenchmark({
        scale,
        latencyMs: intFlag(values['latency-ms'], 'latency-ms', 50, 0),
        calls: intFlag(values.calls, 'calls', 30, 1),
      });
      break;
    case 'soak':
      await runSoakBenchmark({
        scale,
        calls: intFlag(values.calls, 'calls', 100_000, 1),
        cycles: intFlag(values.cycles, 'cycles', 1000, 1),
        clients: intFlag(values.clients, 'clients', 4, 1),
        fresh,
      });
      break;
    case 'charts':
      await runChartsBenchmark({ calls: intFlag(values.calls, 'calls', 20, 1) });
      break;
    case 'persistence':
      await runPersistenceBenchmark({ scale, calls: intFlag(values.calls, 'calls', 200, 1), fresh });
      break;
    case 'search':
      await runSearchBenchmark({
        scale,
        queries: intFlag(values.calls, 'calls', 200, 1),
        fresh,
        viaMcp: values['no-mcp'] !== true,
      });
      break;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
