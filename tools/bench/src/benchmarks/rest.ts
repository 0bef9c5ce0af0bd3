import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { copyMirror, ensureMirror, readSamples } from '../mirror.js';
import {
  engineLabel,
  pgRunDatabase,
  startBenchServers,
  type BenchServers,
  type EngineOptions,
} from '../engine.js';
import { launchCli, productEnv, type Launched } from '../process.js';
import { formatTable, round, writeResult } from '../results.js';
import { startBenchSandbox, type Scale } from '../sandbox.js';
import { summarize, type LatencySummary } from '../stats.js';

/**
 * `rest`: throughput and latency of the main REST endpoints and of MCP tool calls (plain JSON-RPC POSTs
 * to `/mcp`) under concurrent load (autocannon), on `serve --transport http` (REST and MCP on one port,
 * ADR 0015), three servers in the same run: pinned to one core with every read on the event loop (the baseline),
 * on both cores with reads on the loop, and on both cores with the read pool (ADR 0027). On each, the
 * head-of-line scenario: a light call in a loop, idle and while another client runs `query_metrics` by
 * feature over the whole account in a loop. Last, the pool server while `testio-mcp sync --force`
 * rewrites the same database from another process (restarted when it ends).
 */

export interface RestBenchOptions extends Partial<EngineOptions> {
  readonly scale: Scale;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly fresh: boolean;
  /** Sandbox latency for the concurrent sync (ms). */
  readonly latencyMs: number;
  /** Light calls per head-of-line phase (idle, then under the heavy loop). */
  readonly lightCalls: number;
  /** TESTIO_READ_WORKERS of the pool server; absent = the product's default. */
  readonly readWorkers?: number;
}

interface ServerConfig {
  readonly key: 'one-core' | 'loop' | 'pool' | 'postgres';
  readonly label: string;
  readonly cpus?: string;
  readonly readWorkers?: string;
}

export interface EndpointFigures {
  readonly endpoint: string;
  readonly phase: string;
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** 1-minute load average before and after the endpoint's run (other work on the machine). */
  readonly loadAverage: readonly [number, number];
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p97_5: number;
    readonly p99: number;
    readonly max: number;
    readonly mean: number;
  };
}

export interface HeadOfLineFigures {
  readonly server: string;
  readonly light: string;
  readonly idle: LatencySummary & { readonly failures: number };
  readonly underHeavy: LatencySummary & { readonly failures: number };
  readonly heavy: LatencySummary & { readonly failures: number; readonly statuses: readonly number[] };
  readonly loadAverage: readonly [number, number];
}

const load1 = () => round(loadavg()[0] ?? 0, 2);

/** Sequential calls of one client: at most `calls`, and no longer than `maxSeconds`. */
async function lightLoop(url: string, calls: number, maxSeconds: number) {
  const samples: number[] = [];
  let failures = 0;
  const deadline = performance.now() + maxSeconds * 1000;
  for (let i = 0; i < calls && performance.now() < deadline; i++) {
    const started = performance.now();
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (!response.ok) failures++;
    } catch {
      failures++;
    }
    samples.push(performance.now() - started);
  }
  return { ...summarize(samples), failures };
}

async function headOfLine(
  server: ServerConfig,
  origin: string,
  lightPath: string,
  calls: number,
): Promise<HeadOfLineFigures> {
  const lightUrl = `${origin}${lightPath}`;
  const before = load1();
  await lightLoop(lightUrl, 10, 10); // warm-up: the workers start at their first call
  const idle = await lightLoop(lightUrl, calls, 60);
  let stop = false;
  const heavySamples: number[] = [];
  const statuses = new Set<number>();
  let heavyFailures = 0;
  let firstHeavyStarted!: () => void;
  const heavyStarted = new Promise<void>((resolve) => (firstHeavyStarted = resolve));
  const heavy = (async () => {
    while (!stop) {
      const started = performance.now();
      try {
        const request = fetch(`${origin}/api/analytics/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            dimensions: ['feature'],
            metrics: ['bug_count', 'test_count'],
            limit: 1000,
          }),
        });
        firstHeavyStarted();
        const response = await request;
        await response.arrayBuffer();
        statuses.add(response.status);
        if (!response.ok) heavyFailures++;
      } catch {
        heavyFailures++;
      }
      heavySamples.push(performance.now() - started);
    }
  })();
  await heavyStarted;
  const underHeavy = await lightLoop(lightUrl, calls, 60);
  stop = true;
  await heavy;
  return {
    server: server.label,
    light: `GET ${lightPath}`,
    idle,
    underHeavy,
    heavy: { ...summarize(heavySamples), failures: heavyFailures, statuses: [...statuses] },
    loadAverage: [before, load1()],
  };
}

export async function runRestBenchmark(options: RestBenchOptions): Promise<unknown> {
  const engine: EngineOptions = { engine: options.engine ?? 'sqlite', instances: options.instances ?? 1 };
  const mirror = await ensureMirror(options.scale, { fresh: options.fresh });
  const dir = mkdtempSync(join(tmpdir(), 'testio-bench-rest-'));
  // PostgreSQL: a database cloned from the template of the same mirror; the samples come from the file.
  const pgDb =
    engine.engine === 'postgres' ? await pgRunDatabase(mirror, { fresh: options.fresh }) : undefined;
  const sandbox = await startBenchSandbox({ scale: options.scale });
  const dbPath = pgDb ? join(dir, 'unused.db') : copyMirror(mirror, dir);
  const pooled = {
    key: 'pool',
    label: `2 cores, read pool (${options.readWorkers ?? 'default'} workers)`,
    ...(options.readWorkers === undefined ? {} : { readWorkers: String(options.readWorkers) }),
  } as const;
  // SQLite: the one-core baseline and both ways of reading on two cores (ADR 0027). PostgreSQL: the
  // product's default (reads through the pool's connections), with one instance or several behind nginx.
  const configs: ServerConfig[] = pgDb
    ? [
        {
          key: 'postgres',
          label: `${engineLabel(engine)}, 2 cores`,
          ...(options.readWorkers === undefined ? {} : { readWorkers: String(options.readWorkers) }),
        },
      ]
    : [
        { key: 'one-core', label: '1 core, reads on the loop', cpus: '0', readWorkers: '0' },
        { key: 'loop', label: '2 cores, reads on the loop', readWorkers: '0' },
        pooled,
      ];
  const envFor = (config: ServerConfig) =>
    productEnv(sandbox, dbPath, {
      ...(pgDb ? { TESTIO_DATABASE_URL: pgDb.url } : {}),
      // `serve` says it is ready at info; a request line each is the product's default cost anyway.
      LOG_LEVEL: 'info',
      CACHE_TTL_SECONDS: '86400',
      TESTIO_REST_RATE_LIMIT: '0',
      ...(config.readWorkers === undefined ? {} : { TESTIO_READ_WORKERS: config.readWorkers }),
    });
  let api: BenchServers | undefined;
  let sync: Launched | undefined;
  let stopSyncing = false;
  let syncRuns = 0;
  let syncLoop: Promise<void> | undefined;
  try {
    const s = readSamples(pgDb ? mirror.path : dbPath, 50);
    const product = s.productIds[Math.floor(s.productIds.length / 2)] as number;
    const lightPath = `/api/tests/${s.testIds[0]}/summary`;
    const mcp = (name: string, args: Record<string, unknown>) =>
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
    const endpoints: Array<[string, string, string?]> = [
      ['GET /api/products', '/api/products'],
      ['GET /api/products/{id}/summary', `/api/products/${product}/summary`],
      ['GET /api/products/{id}/tests', `/api/products/${product}/tests?per_page=100`],
      ['GET /api/tests/{id}/summary', lightPath],
      ['GET /api/bugs?test_ids=…', `/api/bugs?test_ids=${s.testIds.slice(0, 10).join(',')}`],
      ['GET /api/search?query=…', `/api/search?query=${encodeURIComponent(s.words[0] ?? 'login')}`],
      ['GET /api/users', '/api/users?days=3650'],
      ['GET /health', '/health'],
      ['MCP get_test_summary', '/mcp', mcp('get_test_summary', { test_id: s.testIds[0] })],
      ['MCP list_tests', '/mcp', mcp('list_tests', { product_id: product, per_page: 20 })],
      ['MCP search', '/mcp', mcp('search', { query: s.words[0] ?? 'login', limit: 10 })],
    ];
    const results: EndpointFigures[] = [];
    const hol: HeadOfLineFigures[] = [];
    const load = async (origin: string, phase: string) => {
      for (const [name, path, body] of endpoints) {
        const before = load1();
        const r = await autocannon({
          url: `${origin}${path}`,
          connections: options.connections,
          duration: options.durationSeconds,
          timeout: 30,
          ...(body
            ? {
                method: 'POST' as const,
                headers: {
                  'content-type': 'application/json',
                  accept: 'application/json, text/event-stream',
                },
                body,
              }
            : {}),
        });
        results.push({
          endpoint: name,
          phase,
          requestsPerSecond: round(r.requests.average, 0),
          requests: r.requests.total,
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          loadAverage: [before, load1()],
          latencyMs: {
            p50: r.latency.p50,
            p90: r.latency.p90,
            p97_5: r.latency.p97_5,
            p99: r.latency.p99,
            max: r.latency.max,
            mean: round(r.latency.mean),
          },
        });
      }
    };
    const start = async (config: ServerConfig) => {
      api = await startBenchServers({
        ...engine,
        env: envFor(config),
        dir,
        sandbox,
        ...(pgDb ? { databaseUrl: pgDb.url } : {}),
        ...(config.cpus ? { cpus: config.cpus } : {}),
      });
      return api.origin;
    };
    console.error(
      `rest benchmark: scale ${options.scale}, ${engineLabel(engine)}, ${options.connections} connections, ${options.durationSeconds} s per endpoint`,
    );
    const rss: Record<string, (number | null)[]> = {};
    for (const config of configs) {
      const origin = await start(config);
      console.error(`${config.label}: ${origin}`);
      hol.push(await headOfLine(config, origin, lightPath, options.lightCalls));
      await load(origin, config.label);
      rss[config.label] = api?.peakRssMb() ?? [];
      await api?.stop();
      api = undefined;
    }

    // A writer in another process for the whole last phase, against the pool server (SQLite) or the
    // same database (PostgreSQL).
    const pool = configs[configs.length - 1] as ServerConfig;
    const origin = await start(pool);
    await lightLoop(`${origin}${lightPath}`, 10, 30); // warm-up: the first call starts the workers
    const syncEnv = productEnv(sandbox, dbPath, {
      LOG_LEVEL: 'warn',
      ...(pgDb ? { TESTIO_DATABASE_URL: pgDb.url } : {}),
    });
    sandbox.setFaults(options.latencyMs > 0 ? { latencyMs: options.latencyMs } : {});
    syncLoop = (async () => {
      for (let i = 0; i < 1000 && !stopSyncing; i++) {
        sync = launchCli(['sync', '--force'], { env: syncEnv, cwd: dir });
        syncRuns++;
        await sync.exited;
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    await load(origin, `${pool.label}, during sync`);
    stopSyncing = true;
    await sync?.stop();
    await syncLoop;

    console.log(
      formatTable(
        [
          'endpoint',
          'server',
          'req/s',
          'requests',
          'non-2xx',
          'errors',
          'p50 ms',
          'p97.5 ms',
          'p99 ms',
          'max ms',
          'load',
        ],
        results.map((r) => [
          r.endpoint,
          r.phase,
          r.requestsPerSecond,
          r.requests,
          r.non2xx,
          r.errors + r.timeouts,
          r.latencyMs.p50,
          r.latencyMs.p97_5,
          r.latencyMs.p99,
          r.latencyMs.max,
          `${r.loadAverage[0]}-${r.loadAverage[1]}`,
        ]),
      ),
    );
    const rate = (endpoint: string, phase: string) =>
      results.find((r) => r.endpoint === endpoint && r.phase === phase)?.requestsPerSecond ?? 0;
    const ratios = (pgDb ? [] : endpoints).map(([name]) => {
      const base = rate(name, (configs[0] as ServerConfig).label);
      const loop = rate(name, (configs[1] as ServerConfig).label);
      const pooled = rate(name, pool.label);
      return {
        endpoint: name,
        oneCore: base,
        twoCoresLoop: loop,
        twoCoresPool: pooled,
        poolOverOneCore: base > 0 ? round(pooled / base, 2) : null,
        loopOverOneCore: base > 0 ? round(loop / base, 2) : null,
      };
    });
    if (ratios.length > 0)
      console.log(
        `\nthroughput with ${options.connections} connections (requests/s) against one process on one core:\n` +
          formatTable(
            ['endpoint', '1 core', '2 cores loop', '2 cores pool', 'pool ÷ 1 core', 'loop ÷ 1 core'],
            ratios.map((r) => [
              r.endpoint,
              r.oneCore,
              r.twoCoresLoop,
              r.twoCoresPool,
              r.poolOverOneCore ?? '—',
              r.loopOverOneCore ?? '—',
            ]),
          ),
      );
    console.log(
      `\nhead of line: ${hol[0]?.light} in a loop, idle and while another client runs query_metrics by feature over the whole account in a loop:\n` +
        formatTable(
          [
            'server',
            'idle p50 / p95 ms',
            'under heavy p50 / p95 ms',
            'p95 ÷ idle',
            'light failed',
            'heavy calls',
            'heavy p50 ms',
            'heavy failed',
            'load',
          ],
          hol.map((h) => [
            h.server,
            `${round(h.idle.p50, 1)} / ${round(h.idle.p95, 1)}`,
            `${round(h.underHeavy.p50, 1)} / ${round(h.underHeavy.p95, 1)}`,
            round(h.underHeavy.p95 / h.idle.p95, 1),
            h.idle.failures + h.underHeavy.failures,
            h.heavy.count,
            round(h.heavy.p50, 0),
            h.heavy.failures,
            `${h.loadAverage[0]}-${h.loadAverage[1]}`,
          ]),
        ),
    );
    const duringSync = api?.peakRssMb() ?? [];
    const mbList = (list: readonly (number | null)[]) => list.map((v) => `${v ?? 'n/a'} MB`).join(', ');
    console.log(
      `\nsync --force runs started during the last phase: ${syncRuns}; server peak RSS: ${Object.entries(rss)
        .map(([k, v]) => `${k} ${mbList(v)}`)
        .join('; ')}; ${pool.label} during sync ${mbList(duringSync)}`,
    );
    const single = (list: readonly (number | null)[]) => (list.length === 1 ? list[0] : list);
    const figures = {
      engine: engine.engine,
      instances: engine.instances,
      ...(pgDb ? { pgTemplate: pgDb.template.name, pgTemplateBuiltSeconds: pgDb.template.builtSeconds } : {}),
      endpoints: results,
      throughputRatios: ratios,
      headOfLine: hol,
      syncRunsDuringLoad: syncRuns,
      apiPeakRssMb: {
        ...Object.fromEntries(Object.entries(rss).map(([k, v]) => [k, single(v)])),
        duringSync: single(duringSync),
      },
    };
    const file = writeResult({
      benchmark: 'rest',
      scale: options.scale,
      options: { ...options, ...engine },
      figures,
      variant: engine.engine === 'sqlite' ? 'sqlite' : `postgres-x${engine.instances}`,
    });
    console.error(`written ${file}`);
    return figures;
  } finally {
    stopSyncing = true;
    await sync?.stop();
    await syncLoop;
    await api?.stop();
    await sandbox.close();
    await pgDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
