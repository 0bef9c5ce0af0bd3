import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { copyMirror, ensureMirror, readSamples } from '../mirror.js';
import { launchCli, productEnv, startRestApi, type Launched } from '../process.js';
import { formatTable, round, writeResult } from '../results.js';
import { startBenchSandbox, type Scale } from '../sandbox.js';

/**
 * `rest`: throughput and latency of the main REST endpoints under concurrent load (autocannon), first
 * on an idle mirror, then while `testio-mcp sync --force` rewrites the same database from another
 * process (restarted when it ends, so the whole load window has a writer).
 */

export interface RestBenchOptions {
  readonly scale: Scale;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly fresh: boolean;
  /** Sandbox latency for the concurrent sync (ms). */
  readonly latencyMs: number;
}

export interface EndpointFigures {
  readonly endpoint: string;
  readonly phase: 'idle' | 'during sync';
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly latencyMs: {
    readonly p50: number;
    readonly p90: number;
    readonly p97_5: number;
    readonly p99: number;
    readonly max: number;
    readonly mean: number;
  };
}

export async function runRestBenchmark(options: RestBenchOptions): Promise<unknown> {
  const mirror = await ensureMirror(options.scale, { fresh: options.fresh });
  const dir = mkdtempSync(join(tmpdir(), 'testio-bench-rest-'));
  const sandbox = await startBenchSandbox({ scale: options.scale });
  const dbPath = copyMirror(mirror, dir);
  const env = productEnv(sandbox, dbPath, {
    LOG_LEVEL: 'warn',
    CACHE_TTL_SECONDS: '86400',
    TESTIO_REST_RATE_LIMIT: '0',
  });
  const api = await startRestApi(env, dir);
  let sync: Launched | undefined;
  let stopSyncing = false;
  let syncRuns = 0;
  let syncLoop: Promise<void> | undefined;
  try {
    const s = readSamples(dbPath, 50);
    const product = s.productIds[Math.floor(s.productIds.length / 2)] as number;
    const endpoints: Array<[string, string]> = [
      ['GET /api/products', '/api/products'],
      ['GET /api/products/{id}/summary', `/api/products/${product}/summary`],
      ['GET /api/products/{id}/tests', `/api/products/${product}/tests?per_page=100`],
      ['GET /api/tests/{id}/summary', `/api/tests/${s.testIds[0]}/summary`],
      ['GET /api/bugs?test_ids=…', `/api/bugs?test_ids=${s.testIds.slice(0, 10).join(',')}`],
      ['GET /api/search?query=…', `/api/search?query=${encodeURIComponent(s.words[0] ?? 'login')}`],
      ['GET /api/users', '/api/users?days=3650'],
      ['GET /health', '/health'],
    ];
    const results: EndpointFigures[] = [];
    const load = async (phase: EndpointFigures['phase']) => {
      for (const [name, path] of endpoints) {
        const url = `${api.url.replace(/\/api$/, '')}${path}`;
        const r = await autocannon({
          url,
          connections: options.connections,
          duration: options.durationSeconds,
          timeout: 30,
        });
        results.push({
          endpoint: name,
          phase,
          requestsPerSecond: round(r.requests.average, 0),
          requests: r.requests.total,
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
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
    console.error(
      `rest benchmark: scale ${options.scale}, ${options.connections} connections, ${options.durationSeconds} s per endpoint, ${api.url}`,
    );
    await load('idle');

    // A writer in another process for the whole second phase.
    const syncEnv = productEnv(sandbox, dbPath, { LOG_LEVEL: 'warn' });
    sandbox.setFaults(options.latencyMs > 0 ? { latencyMs: options.latencyMs } : {});
    syncLoop = (async () => {
      for (let i = 0; i < 1000 && !stopSyncing; i++) {
        sync = launchCli(['sync', '--force'], { env: syncEnv, cwd: dir });
        syncRuns++;
        await sync.exited;
      }
    })();
    await new Promise((r) => setTimeout(r, 1000));
    await load('during sync');
    stopSyncing = true;
    await sync?.stop();
    await syncLoop;

    console.log(
      formatTable(
        [
          'endpoint',
          'phase',
          'req/s',
          'requests',
          'non-2xx',
          'errors',
          'p50 ms',
          'p90 ms',
          'p97.5 ms',
          'p99 ms',
          'max ms',
        ],
        results.map((r) => [
          r.endpoint,
          r.phase,
          r.requestsPerSecond,
          r.requests,
          r.non2xx,
          r.errors + r.timeouts,
          r.latencyMs.p50,
          r.latencyMs.p90,
          r.latencyMs.p97_5,
          r.latencyMs.p99,
          r.latencyMs.max,
        ]),
      ),
    );
    const rssKb = api.proc.peakRssKb();
    console.log(
      `\nsync --force runs started during the second phase: ${syncRuns}; REST API peak RSS: ${rssKb === null ? 'n/a' : `${round(rssKb / 1024, 1)} MB`}`,
    );
    const figures = {
      endpoints: results,
      syncRunsDuringLoad: syncRuns,
      apiPeakRssMb: rssKb === null ? null : round(rssKb / 1024, 1),
    };
    const file = writeResult({ benchmark: 'rest', scale: options.scale, options: { ...options }, figures });
    console.error(`written ${file}`);
    return figures;
  } finally {
    stopSyncing = true;
    await sync?.stop();
    await syncLoop;
    await api.proc.stop();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
