import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EXECUTED_TEST_STATUSES,
  parseFlexibleDate,
  type AnalyticsScope,
  type MetricDimension,
  type MetricKey,
} from '@testio-mcp/domain';
import {
  createAnalyticsReader,
  createMirrorReader,
  createMirrorSearch,
  createPgAnalyticsReader,
  createPgMirrorReader,
  createPgMirrorSearch,
  createPgPool,
  openSqlite,
} from '@testio-mcp/persistence';
import {
  engineLabel,
  pgRunDatabase,
  startBenchServers,
  type EngineOptions,
  type PgRunDatabase,
  type PgTemplate,
} from '../engine.js';
import { callTool, connectMcp } from '../mcp.js';
import { copyMirror, ensureMirror, pick, readSamples, rng, type Samples } from '../mirror.js';
import { productEnv } from '../process.js';
import { formatTable, round, writeResult } from '../results.js';
import { startBenchSandbox, type Scale } from '../sandbox.js';
import { summarize, type LatencySummary } from '../stats.js';

/**
 * `tools`: every MCP tool through `testio-mcp serve --transport http` with the SDK client, on a synced
 * mirror. For the list, summary and search tools the reader queries the service runs are also timed
 * in-process on better-sqlite3 (`createMirrorReader` / `createMirrorSearch`, the same prepared SQL):
 * that is the floor, and the ratio says what MCP, HTTP, JSON and the services add.
 */

export interface ToolsBenchOptions extends Partial<EngineOptions> {
  readonly scale: Scale;
  /** Measured calls per read tool (after a warm-up of 10). */
  readonly calls: number;
  /** Measured calls per analytics tool (each aggregates every bug in scope: ~0.5 s at `medium`). */
  readonly analyticsCalls: number;
  readonly fresh: boolean;
  /** Measure only these tools (default all). */
  readonly only?: readonly string[] | undefined;
  /** Commit a write from another connection before each call (a sync writing between calls). */
  readonly writeBetween?: boolean;
  /** Where the JSON goes (default bench-results/). */
  readonly resultsDir?: string;
}

type Reader = ReturnType<typeof createMirrorReader>;
type Search = ReturnType<typeof createMirrorSearch>;
type Analytics = ReturnType<typeof createAnalyticsReader>;

/** The tools that aggregate a whole scope; they get `analyticsCalls` calls instead of `calls`. */
export const ANALYTICS_TOOLS: ReadonlySet<string> = new Set([
  'generate_quality_report',
  'get_product_quality_report',
  'query_metrics',
  'get_analytics_capabilities',
]);

interface CallSpec {
  readonly args: Record<string, unknown>;
  /** The reader calls behind the tool, for the floor; absent for tools without one. */
  readonly floor?: (reader: Reader, search: Search, analytics: Analytics) => Promise<unknown>;
}

const DAY = 86_400_000;
const STATUSES = ['running', 'locked', 'archived', 'customer_finalized'];
const SEVERITIES = ['critical', 'high', 'low', 'visual'];
const BUG_STATUSES = ['accepted', 'rejected', 'forwarded', 'auto_accepted'];

/** The period of a tool's `start_date` / `end_date`, parsed as the services parse it. */
function period(args: { start_date?: string; end_date?: string }): { from?: Date; to?: Date } {
  const now = new Date();
  return {
    ...(args.start_date
      ? { from: parseFlexibleDate(args.start_date, { startOfDay: true, now, field: 'start_date' }) }
      : {}),
    ...(args.end_date
      ? { to: parseFlexibleDate(args.end_date, { startOfDay: false, now, field: 'end_date' }) }
      : {}),
  };
}

/**
 * A quality report of `count` products, over all time or a period of the months before the sandbox's
 * anchor (2025-06-01), listing 20 tests one by one or none. Never `output_file`: the benchmark reads.
 * The floor is the report's two aggregate queries over the same scope (executed tests).
 */
function qualityReport(samples: Samples, random: () => number, count: number): CallSpec {
  const productIds = [...new Set(Array.from({ length: count }, () => pick(random, samples.productIds)))];
  const dates = pick(random, [
    {},
    { start_date: '2025-03-01', end_date: '2025-05-31' },
    { start_date: '2024-06-01' },
  ]);
  const scope: AnalyticsScope = { productIds, testStatuses: [...EXECUTED_TEST_STATUSES], ...period(dates) };
  return {
    args: { product_ids: productIds, ...dates, max_tests: pick(random, [0, 20]) },
    floor: async (_r, _s, a) => {
      await a.reportTests(scope);
      await a.reportBreakdowns(scope);
    },
  };
}

/** Varied, valid arguments for each tool, drawn from the mirror's own ids and words. */
export function toolCalls(samples: Samples, random: () => number): Record<string, () => CallSpec> {
  const now = () => new Date();
  const recentSince = () => ({
    days30: new Date(Date.now() - 30 * DAY),
    days90: new Date(Date.now() - 90 * DAY),
  });
  return {
    list_products: () => {
      const word = random() < 0.3 ? pick(random, samples.words).slice(0, 5) : undefined;
      const sortBy = pick(random, ['title', 'product_type', 'last_synced'] as const);
      return {
        args: { ...(word ? { search: word } : {}), sort_by: sortBy, per_page: 50 },
        floor: async (r) => {
          await r.listProducts({
            ...(word ? { search: word } : {}),
            sortBy,
            sortOrder: 'asc',
            limit: 50,
            offset: 0,
            recentSince: recentSince(),
          });
          await r.productsSyncedAt();
        },
      };
    },
    list_tests: () => {
      const productId = pick(random, samples.productIds);
      const statuses = random() < 0.4 ? [pick(random, STATUSES)] : undefined;
      const sortBy = pick(random, ['end_at', 'start_at', 'status', 'title'] as const);
      const perPage = pick(random, [25, 100, 200]);
      return {
        args: {
          product_id: productId,
          ...(statuses ? { statuses } : {}),
          sort_by: sortBy,
          per_page: perPage,
        },
        floor: async (r) => {
          await r.getProduct(productId);
          await r.listTests({
            productId,
            ...(statuses ? { statuses } : {}),
            sortBy,
            sortOrder: 'desc',
            limit: perPage,
            offset: 0,
          });
        },
      };
    },
    list_features: () => {
      const productId = pick(random, samples.productIds);
      const sortBy = pick(random, ['title', 'test_count', 'bug_count'] as const);
      return {
        args: { product_id: productId, sort_by: sortBy },
        floor: async (r) => {
          await r.getProduct(productId);
          await r.listFeatures({ productId, sortBy, sortOrder: 'asc', limit: 100, offset: 0 });
        },
      };
    },
    list_users: () => {
      const userType = pick(random, ['tester', 'customer', undefined] as const);
      const sortBy = pick(random, ['username', 'last_activity', 'first_seen'] as const);
      return {
        args: { ...(userType ? { user_type: userType } : {}), days: 3650, sort_by: sortBy },
        floor: async (r) => {
          await r.listUsers({
            ...(userType ? { userType } : {}),
            activeSince: new Date(now().getTime() - 3650 * DAY),
            sortBy,
            sortOrder: 'asc',
            limit: 100,
            offset: 0,
          });
          await r.usersSeenAt();
        },
      };
    },
    list_bugs: () => {
      const testIds = Array.from({ length: 1 + Math.floor(random() * 10) }, () =>
        pick(random, samples.testIds),
      );
      const unique = [...new Set(testIds)];
      const statuses = random() < 0.3 ? [pick(random, BUG_STATUSES)] : undefined;
      const severities = random() < 0.3 ? [pick(random, SEVERITIES)] : undefined;
      const sortBy = pick(random, ['reported_at', 'severity', 'status'] as const);
      return {
        args: {
          test_ids: unique,
          ...(statuses ? { status: statuses } : {}),
          ...(severities ? { severity: severities } : {}),
          sort_by: sortBy,
        },
        floor: async (r) => {
          await r.getTestRefs(unique);
          await r.listBugs({
            testIds: unique,
            ...(statuses ? { statuses } : {}),
            ...(severities ? { severities } : {}),
            sortBy,
            sortOrder: 'desc',
            limit: 100,
            offset: 0,
          });
        },
      };
    },
    get_test_summary: () => {
      const id = pick(random, samples.testIds);
      return {
        args: { test_id: id },
        floor: async (r) => {
          await r.getTestRefs([id]);
          await r.getTestDetail(id);
          await r.listBugsOfTest(id);
        },
      };
    },
    get_product_summary: () => {
      const id = pick(random, samples.productIds);
      return { args: { product_id: id }, floor: (r) => r.getProductSummary(id) };
    },
    get_feature_summary: () => {
      const id = pick(random, samples.featureIds);
      return { args: { feature_id: id }, floor: (r) => r.getFeatureDetail(id) };
    },
    get_user_summary: () => {
      const id = pick(random, samples.userIds);
      return { args: { user_id: id }, floor: (r) => r.getUserSummary(id) };
    },
    get_bug_summary: () => {
      const id = pick(random, samples.bugIds);
      return { args: { bug_id: id }, floor: (r) => r.getBugDetail(id) };
    },
    search: () => {
      const kind = random();
      const query =
        kind < 0.5
          ? pick(random, samples.words)
          : kind < 0.8
            ? pick(random, samples.words).slice(0, 4)
            : pick(random, samples.phrases);
      const productIds = random() < 0.3 ? [pick(random, samples.productIds)] : undefined;
      return {
        args: { query, ...(productIds ? { product_ids: productIds } : {}), limit: 20 },
        floor: (_r, s) =>
          s.search({ query, mode: 'simple', ...(productIds ? { productIds } : {}), limit: 20 }),
      };
    },
    generate_quality_report: () => qualityReport(samples, random, 1 + Math.floor(random() * 2)),
    get_product_quality_report: () => qualityReport(samples, random, 1),
    query_metrics: () => {
      const dimensions = pick(random, [
        ['product'],
        ['month'],
        ['severity'],
        ['feature'],
        ['tester'],
        ['product', 'severity'],
        ['month', 'status'],
      ]);
      const metrics = pick(random, [
        ['bug_count', 'test_count'],
        ['overall_acceptance_rate', 'rejection_rate'],
        ['bugs_per_test'],
        ['active_testers', 'bug_severity_score'],
      ]);
      const productIds = random() < 0.6 ? [pick(random, samples.productIds)] : undefined;
      const dates = random() < 0.3 ? { start_date: '2025-01-01' } : {};
      const scope: AnalyticsScope = {
        ...(productIds ? { productIds } : {}),
        testStatuses: [...EXECUTED_TEST_STATUSES],
        ...period(dates),
      };
      return {
        args: {
          dimensions,
          metrics,
          ...(productIds ? { filters: { product_ids: productIds } } : {}),
          ...dates,
        },
        // The freshness read of the scope's tests, then the cube query (the default sort: first metric).
        floor: async (_r, _s, a) => {
          await a.reportTests(scope);
          await a.runMetricQuery({
            dimensions: dimensions as MetricDimension[],
            metrics: metrics as MetricKey[],
            scope,
            sortBy: (dimensions[0] === 'month' ? 'month' : metrics[0]) as MetricDimension | MetricKey,
            sortOrder: dimensions[0] === 'month' ? 'asc' : 'desc',
            limit: 100,
          });
        },
      };
    },
    get_analytics_capabilities: () => ({ args: {}, floor: (_r, _s, a) => a.listPlatforms() }),
    get_server_diagnostics: () => ({ args: { check_api: false, include_sync_events: random() < 0.5 } }),
    get_problematic_tests: () => ({
      args: random() < 0.5 ? {} : { product_id: pick(random, samples.productIds) },
    }),
  };
}

export interface ToolFigures {
  readonly tool: string;
  readonly calls: number;
  readonly errors: number;
  readonly mcp: LatencySummary;
  readonly floor: LatencySummary | null;
  readonly ratioP50: number | null;
  readonly ratioP95: number | null;
  /**
   * The server's CPU time per measured call (every thread, /proc schedstat), in ms: far less sensitive
   * to a loaded machine than wall time; null where /proc is not readable.
   */
  readonly cpuMsPerCall: number | null;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export async function runToolsBenchmark(options: ToolsBenchOptions): Promise<unknown> {
  const engine: EngineOptions = { engine: options.engine ?? 'sqlite', instances: options.instances ?? 1 };
  const mirror = await ensureMirror(options.scale, { fresh: options.fresh });
  const dir = mkdtempSync(join(tmpdir(), 'testio-bench-tools-'));
  // On SQLite the server reads a private copy of the mirror; on PostgreSQL a database cloned from the
  // template holding the same mirror (the ids and words to call with still come from the cached file).
  const pgDb: (PgRunDatabase & { template: PgTemplate }) | undefined =
    engine.engine === 'postgres' ? await pgRunDatabase(mirror, { fresh: options.fresh }) : undefined;
  const sandbox = await startBenchSandbox({ scale: options.scale });
  const dbPath = pgDb ? join(dir, 'unused.db') : copyMirror(mirror, dir);
  // The largest TTL: the cached mirror counts as fresh, so timings are of the mirror, not of TestIO.
  const env = productEnv(sandbox, dbPath, { LOG_LEVEL: 'info', CACHE_TTL_SECONDS: '86400' });
  let server: Awaited<ReturnType<typeof startBenchServers>> | undefined;
  let client: Awaited<ReturnType<typeof connectMcp>> | undefined;
  try {
    server = await startBenchServers({
      ...engine,
      env,
      dir,
      sandbox,
      ...(pgDb ? { databaseUrl: pgDb.url } : {}),
    });
    const mcp = await connectMcp(server.mcpUrl);
    client = mcp;
    const samples = readSamples(pgDb ? mirror.path : dbPath);
    const { tools } = await mcp.listTools();
    const generators = toolCalls(samples, rng(42));
    console.error(
      `tools benchmark: scale ${options.scale} (${mirror.tests} tests, ${mirror.bugs} bugs), ${engineLabel(engine)}, ${tools.length} tools, ${options.calls} calls per read tool, ${options.analyticsCalls} per analytics tool, server ${server.mcpUrl}`,
    );
    const planned = new Map<string, CallSpec[]>();
    for (const tool of tools) {
      if (options.only && !options.only.includes(tool.name)) continue;
      const generate = generators[tool.name];
      const calls = ANALYTICS_TOOLS.has(tool.name) ? options.analyticsCalls : options.calls;
      if (generate) planned.set(tool.name, Array.from({ length: calls + 10 }, generate));
    }
    const rounds = Math.max(0, ...[...planned.values()].map((specs) => specs.length));
    sandbox.resetRequestLog();
    const mcpTimes = new Map<string, number[]>();
    const cpuTimes = new Map<string, number>();
    const errors = new Map<string, number>();
    const errorSamples: string[] = [];
    // Interleave the tools (round robin) so a slow period of the machine hits every tool alike.
    const started = Date.now();
    // A write that changes no value but commits: the server's connection sees a new data_version.
    const WRITE = 'UPDATE bugs SET title = title WHERE pk = (SELECT max(pk) FROM bugs)';
    const writer = options.writeBetween && !pgDb ? openSqlite(dbPath) : null;
    const pgWriter = options.writeBetween && pgDb ? createPgPool(pgDb.url, { max: 1 }) : null;
    const sqliteWrite = writer?.prepare(WRITE);
    const write = async () => {
      sqliteWrite?.run();
      if (pgWriter) await pgWriter.query(WRITE);
    };
    for (let i = 0; i < rounds; i++) {
      if (i > 0 && i % 50 === 0)
        console.error(`  ${i}/${rounds} rounds, ${Math.round((Date.now() - started) / 1000)} s`);
      for (const [name, specs] of planned) {
        const spec = specs[i];
        if (!spec) continue;
        if (process.env.BENCH_DEBUG) console.error(`  ${name} ${JSON.stringify(spec.args)}`);
        let answer: Awaited<ReturnType<typeof callTool>> | undefined;
        await write();
        const cpuBefore = server.cpuMs();
        const ms = await time(async () => (answer = await callTool(mcp, name, spec.args)));
        const cpuAfter = server.cpuMs();
        if (i < 10) continue;
        if (cpuBefore !== null && cpuAfter !== null)
          cpuTimes.set(name, (cpuTimes.get(name) ?? 0) + cpuAfter - cpuBefore);
        (mcpTimes.get(name) ?? mcpTimes.set(name, []).get(name))?.push(ms);
        if (answer?.isError) {
          errors.set(name, (errors.get(name) ?? 0) + 1);
          if (errorSamples.length < 10)
            errorSamples.push(`${name} ${JSON.stringify(spec.args)}: ${answer.text.split('\n')[0] ?? ''}`);
        }
      }
    }
    writer?.close();
    await pgWriter?.end();
    const upstreamCalls = sandbox.requestLog().length;
    const unmeasured = tools
      .map((t) => t.name)
      .filter((n) => !planned.has(n) && n !== 'sync_data' && (!options.only || options.only.includes(n)));

    // sync_data: an incremental sync of the whole (unchanged) account, a few times.
    const syncTimes: number[] = [];
    const timeSync = !options.only || options.only.includes('sync_data');
    for (let i = 0; i < (timeSync ? 5 : 0); i++)
      syncTimes.push(await time(() => callTool(mcp, 'sync_data', {})));

    // The floor: the same reader calls in-process, on the engine the server reads.
    const sqliteDb = pgDb ? undefined : openSqlite(dbPath);
    const pool = pgDb ? createPgPool(pgDb.url) : undefined;
    const [reader, search, analytics]: [Reader, Search, Analytics] = pool
      ? [createPgMirrorReader(pool, 1), createPgMirrorSearch(pool, 1), createPgAnalyticsReader(pool, 1)]
      : sqliteDb
        ? [
            createMirrorReader(sqliteDb, 1),
            createMirrorSearch(sqliteDb, 1),
            createAnalyticsReader(sqliteDb, 1),
          ]
        : (() => {
            throw new Error('no database for the floor');
          })();
    const floorTimes = new Map<string, number[]>();
    try {
      for (let i = 0; i < rounds; i++) {
        for (const [name, specs] of planned) {
          const floor = specs[i]?.floor;
          if (!floor) continue;
          const ms = await time(() => floor(reader, search, analytics));
          if (i >= 10) (floorTimes.get(name) ?? floorTimes.set(name, []).get(name))?.push(ms);
        }
      }
    } finally {
      sqliteDb?.close();
      await pool?.end();
    }

    const figures: ToolFigures[] = [...mcpTimes].map(([tool, times]) => {
      const mcp = summarize(times);
      const floorSamples = floorTimes.get(tool);
      const floor = floorSamples?.length ? summarize(floorSamples) : null;
      return {
        tool,
        calls: times.length,
        errors: errors.get(tool) ?? 0,
        mcp,
        floor,
        ratioP50: floor && floor.p50 > 0 ? round(mcp.p50 / floor.p50, 1) : null,
        ratioP95: floor && floor.p95 > 0 ? round(mcp.p95 / floor.p95, 1) : null,
        cpuMsPerCall: cpuTimes.has(tool) ? round((cpuTimes.get(tool) ?? 0) / times.length, 3) : null,
      };
    });
    const syncData = summarize(syncTimes.length > 0 ? syncTimes : [0]);
    console.log(
      formatTable(
        [
          'tool',
          'calls',
          'errors',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'floor p50',
          'floor p95',
          '× p50',
          '× p95',
          'cpu ms/call',
        ],
        [
          ...figures.map((f) => [
            f.tool,
            f.calls,
            f.errors,
            f.mcp.p50,
            f.mcp.p95,
            f.mcp.p99,
            f.mcp.max,
            f.floor?.p50,
            f.floor?.p95,
            f.ratioP50,
            f.ratioP95,
            f.cpuMsPerCall,
          ]),
          ...(syncTimes.length > 0
            ? [
                [
                  'sync_data (incremental)',
                  syncData.count,
                  0,
                  syncData.p50,
                  syncData.p95,
                  syncData.p99,
                  syncData.max,
                  null,
                  null,
                  null,
                  null,
                  null,
                ],
              ]
            : []),
        ],
      ),
    );
    const rssMb = server.peakRssMb();
    console.log(
      `\nupstream calls during the read calls: ${upstreamCalls}; MCP server peak RSS: ${rssMb.map((mb) => (mb === null ? 'n/a' : `${mb} MB`)).join(', ')}`,
    );
    if (unmeasured.length) console.log(`not measured (no input generator yet): ${unmeasured.join(', ')}`);
    if (errorSamples.length)
      console.log(`tool errors (first ${errorSamples.length}):\n  ${errorSamples.join('\n  ')}`);
    const result = {
      engine: engine.engine,
      instances: engine.instances,
      mirror: { tests: mirror.tests, bugs: mirror.bugs },
      tools: figures,
      unmeasured,
      syncData,
      upstreamCalls,
      serverPeakRssMb: rssMb.length === 1 ? rssMb[0] : rssMb,
      ...(pgDb ? { pgTemplate: pgDb.template.name, pgTemplateBuiltSeconds: pgDb.template.builtSeconds } : {}),
      errorSamples,
    };
    const file = writeResult(
      {
        benchmark: 'tools',
        scale: options.scale,
        options: { ...options, ...engine, resultsDir: undefined },
        figures: result,
        variant: engine.engine === 'sqlite' ? 'sqlite' : `postgres-x${engine.instances}`,
      },
      options.resultsDir,
    );
    console.error(`written ${file}`);
    return { ...result, file };
  } finally {
    await client?.close();
    await server?.stop();
    await sandbox.close();
    await pgDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
