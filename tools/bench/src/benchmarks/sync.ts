import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { launchCli, productEnv } from '../process.js';
import { checkpoint, fileSizeWithWal } from '../mirror.js';
import { formatTable, mb, round, writeResult } from '../results.js';
import { startBenchSandbox, type Scale } from '../sandbox.js';

/**
 * `sync`: a full sync (`testio-mcp sync --force`) and then incremental syncs of the sandbox with
 * injected latency, as separate processes. The lower bound of a run is calls × latency ÷ concurrency:
 * what it would take if every upstream call ran in parallel slots with nothing else to do.
 */

export interface SyncBenchOptions {
  readonly scale: Scale;
  readonly latencyMs: number;
  readonly concurrency: number;
}

export interface SyncRunFigures {
  readonly run: string;
  readonly exitCode: number | null;
  readonly outcome: string | null;
  readonly wallSeconds: number;
  /** The run's own duration as `sync` reports it (without process start-up). */
  readonly syncSeconds: number | null;
  readonly upstreamCalls: number;
  readonly lowerBoundSeconds: number;
  readonly ratioToLowerBound: number | null;
  readonly peakRssMb: number | null;
}

const TABLES = [
  'products',
  'sections',
  'features',
  'user_stories',
  'tests',
  'test_features',
  'test_platforms',
  'bugs',
  'users',
] as const;

/**
 * Bytes per table and index (SQLite's dbstat; an FTS5 index's shadow tables are folded into the
 * index's name, `bugs_fts_data` into `bugs_fts`), largest first.
 */
export function storageBreakdown(path: string): { name: string; bytes: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(`SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC`)
      .all() as { name: string; bytes: number }[];
    const folded = new Map<string, number>();
    for (const { name, bytes } of rows) {
      const key = name.replace(/_fts_(data|idx|docsize|config|content)$/, '_fts');
      folded.set(key, (folded.get(key) ?? 0) + bytes);
    }
    return [...folded].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
  } finally {
    db.close();
  }
}

function countRows(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(
      TABLES.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number]),
    );
  } finally {
    db.close();
  }
}

export async function runSyncBenchmark(options: SyncBenchOptions): Promise<unknown> {
  const sandbox = await startBenchSandbox({ scale: options.scale, latencyMs: options.latencyMs });
  const dir = mkdtempSync(join(tmpdir(), 'testio-bench-sync-'));
  const dbPath = join(dir, 'mirror.db');
  const env = productEnv(sandbox, dbPath, {
    LOG_LEVEL: 'warn',
    MAX_CONCURRENT_API_REQUESTS: String(options.concurrency),
  });
  const runs: SyncRunFigures[] = [];

  const measure = async (name: string, args: string[]): Promise<SyncRunFigures> => {
    sandbox.resetRequestLog();
    const started = performance.now();
    const proc = launchCli(['sync', ...args], { env, cwd: dir });
    const { code } = await proc.exited;
    const wallSeconds = (performance.now() - started) / 1000;
    const calls = sandbox.requestLog().length;
    const lowerBoundSeconds = (calls * options.latencyMs) / options.concurrency / 1000;
    const duration = /duration\s+([\d.]+)\s*s/.exec(proc.out());
    const syncSeconds = duration ? Number(duration[1]) : null;
    const rss = proc.peakRssKb();
    const figures: SyncRunFigures = {
      run: name,
      exitCode: code,
      outcome: /outcome\s+(\w+)/.exec(proc.out())?.[1] ?? null,
      wallSeconds: round(wallSeconds),
      syncSeconds,
      upstreamCalls: calls,
      lowerBoundSeconds: round(lowerBoundSeconds),
      ratioToLowerBound:
        lowerBoundSeconds > 0 ? round((syncSeconds ?? wallSeconds) / lowerBoundSeconds) : null,
      peakRssMb: rss === null ? null : round(rss / 1024, 1),
    };
    if (code !== 0)
      console.error(`sync ${args.join(' ')} exited ${code}:\n${proc.out()}\n${proc.err().slice(-3000)}`);
    runs.push(figures);
    return figures;
  };

  try {
    const truth = sandbox.truth();
    console.error(
      `sync benchmark: scale ${options.scale} (${truth.totals.tests} tests, ${truth.totals.bugs} bugs), latency ${options.latencyMs} ms, concurrency ${options.concurrency}`,
    );
    const full = await measure('full (sync --force)', ['--force']);
    checkpoint(dbPath);
    const rows = countRows(dbPath);
    const totalRows = Object.values(rows).reduce((a, b) => a + b, 0);
    const dbBytes = fileSizeWithWal(dbPath);
    const breakdown = storageBreakdown(dbPath);
    const incremental = await measure('incremental, no upstream change (sync)', []);
    const products = truth.products.length;
    const advance = sandbox.advance({ days: 1 });
    await measure(`incremental after 1 day (${advance.newTests.length} new tests)`, []);

    console.log(
      formatTable(
        ['run', 'outcome', 'wall s', 'sync s', 'calls', 'lower bound s', 'ratio', 'peak RSS MB'],
        runs.map((r) => [
          r.run,
          r.outcome,
          r.wallSeconds,
          r.syncSeconds,
          r.upstreamCalls,
          r.lowerBoundSeconds,
          r.ratioToLowerBound,
          r.peakRssMb,
        ]),
      ),
    );
    const rowsPerSecond = round(totalRows / (full.syncSeconds ?? full.wallSeconds), 0);
    const perThousandTests = mb((dbBytes / Math.max(1, rows.tests ?? 0)) * 1000);
    const summary = {
      rowsWritten: totalRows,
      rowsByTable: rows,
      rowsPerSecond,
      databaseMb: mb(dbBytes),
      databaseMbPer1000Tests: perThousandTests,
      incrementalCallsNoChange: incremental.upstreamCalls,
      incrementalCallBudget: products + 1,
    };
    console.log('');
    console.log(
      formatTable(
        ['figure', 'value'],
        [
          ['rows written (full)', totalRows],
          ['rows written per second', rowsPerSecond],
          ['database size MB', summary.databaseMb],
          ['database MB per 1,000 tests', perThousandTests],
          ['incremental calls, no change', incremental.upstreamCalls],
          ['one per product + product list', products + 1],
        ],
      ),
    );
    console.log('');
    console.log(
      formatTable(
        ['table or index', 'MB', 'MB per 1,000 tests', 'share %'],
        breakdown
          .filter((b) => b.bytes >= 64 * 1024)
          .map((b) => [
            b.name,
            mb(b.bytes),
            mb((b.bytes / Math.max(1, rows.tests ?? 0)) * 1000),
            round((100 * b.bytes) / Math.max(1, dbBytes), 1),
          ]),
      ),
    );
    const figures = { truth: truth.totals, runs, ...summary, storageBreakdown: breakdown };
    const file = writeResult({ benchmark: 'sync', scale: options.scale, options: { ...options }, figures });
    console.error(`written ${file}`);
    return figures;
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
