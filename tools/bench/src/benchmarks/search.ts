import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMirrorSearch, openSqlite } from '@testio-mcp/persistence';
import type { SearchPortOptions } from '@testio-mcp/domain';
import { callTool, connectMcp } from '../mcp.js';
import { copyMirror, ensureMirror, pick, readSamples, rng, type Samples } from '../mirror.js';
import { productEnv, startMcpHttp } from '../process.js';
import { formatTable, writeResult } from '../results.js';
import { startBenchSandbox, type Scale } from '../sandbox.js';
import { summarize, type LatencySummary } from '../stats.js';

/**
 * `search`: FTS5 query latency by kind of query — single words, phrases, prefixes, and filtered
 * queries — on better-sqlite3 (the search port the service uses) and end to end through the MCP
 * `search` tool.
 */

export interface SearchBenchOptions {
  readonly scale: Scale;
  readonly queries: number;
  readonly fresh: boolean;
  /** Also time each query through MCP HTTP (default true). */
  readonly viaMcp: boolean;
}

interface Query {
  readonly port: SearchPortOptions;
  readonly tool: Record<string, unknown>;
}

export const KINDS = [
  'single word',
  'rare word',
  'two words',
  'phrase (raw)',
  'prefix (simple, 3 letters)',
  'prefix (raw word*)',
  'filter: product',
  'filter: entity bug',
  'filter: dates',
  'no match',
] as const;

export function makeQuery(kind: (typeof KINDS)[number], s: Samples, random: () => number): Query {
  const common = s.words.slice(0, 20);
  const rare = s.words.slice(-40);
  switch (kind) {
    case 'single word': {
      const q = pick(random, common);
      return { port: { query: q, mode: 'simple' }, tool: { query: q } };
    }
    case 'rare word': {
      const q = pick(random, rare);
      return { port: { query: q, mode: 'simple' }, tool: { query: q } };
    }
    case 'two words': {
      const q = `${pick(random, common)} ${pick(random, s.words)}`;
      return { port: { query: q, mode: 'simple' }, tool: { query: q } };
    }
    case 'phrase (raw)': {
      const q = `"${pick(random, s.phrases)}"`;
      return { port: { query: q, mode: 'raw' }, tool: { query: q, match_mode: 'raw' } };
    }
    case 'prefix (simple, 3 letters)': {
      const q = pick(random, s.words).slice(0, 3);
      return { port: { query: q, mode: 'simple' }, tool: { query: q } };
    }
    case 'prefix (raw word*)': {
      const q = `${pick(random, s.words).slice(0, 4)}*`;
      return { port: { query: q, mode: 'raw' }, tool: { query: q, match_mode: 'raw' } };
    }
    case 'filter: product': {
      const q = pick(random, common);
      const p = pick(random, s.productIds);
      return { port: { query: q, mode: 'simple', productIds: [p] }, tool: { query: q, product_ids: [p] } };
    }
    case 'filter: entity bug': {
      const q = pick(random, common);
      return {
        port: { query: q, mode: 'simple', entityTypes: ['bug'] },
        tool: { query: q, entities: ['bug'] },
      };
    }
    case 'filter: dates': {
      const q = pick(random, common);
      return {
        port: {
          query: q,
          mode: 'simple',
          from: new Date('2025-03-01T00:00:00.000Z'),
          to: new Date('2025-05-31T23:59:59.999Z'),
        },
        tool: { query: q, start_date: '2025-03-01', end_date: '2025-05-31' },
      };
    }
    case 'no match': {
      const q = `zqxv${Math.floor(random() * 1e6)}`;
      return { port: { query: q, mode: 'simple' }, tool: { query: q } };
    }
  }
}

export async function runSearchBenchmark(options: SearchBenchOptions): Promise<unknown> {
  const mirror = await ensureMirror(options.scale, { fresh: options.fresh });
  const dir = mkdtempSync(join(tmpdir(), 'testio-bench-search-'));
  const dbPath = copyMirror(mirror, dir);
  const samples = readSamples(dbPath);
  const random = rng(7);
  const plan = KINDS.map((kind) => ({
    kind,
    queries: Array.from({ length: options.queries + 5 }, () => makeQuery(kind, samples, random)),
  }));
  const rows: Array<{ kind: string; port: LatencySummary; mcp: LatencySummary | null; meanHits: number }> =
    [];
  console.error(
    `search benchmark: scale ${options.scale} (${mirror.tests} tests, ${mirror.bugs} bugs), ${options.queries} queries per kind`,
  );
  try {
    const db = openSqlite(dbPath);
    const search = createMirrorSearch(db, 1);
    const portTimes = new Map<string, number[]>();
    const hits = new Map<string, number[]>();
    try {
      for (const { kind, queries } of plan) {
        const times: number[] = [];
        const totals: number[] = [];
        for (const [i, q] of queries.entries()) {
          const started = performance.now();
          const result = await search.search({ ...q.port, limit: 20 });
          if (i >= 5) {
            times.push(performance.now() - started);
            totals.push(result.total);
          }
        }
        portTimes.set(kind, times);
        hits.set(kind, totals);
      }
    } finally {
      db.close();
    }
    const mcpTimes = new Map<string, number[]>();
    if (options.viaMcp) {
      const sandbox = await startBenchSandbox({ scale: options.scale });
      const server = await startMcpHttp(
        productEnv(sandbox, dbPath, { LOG_LEVEL: 'info', CACHE_TTL_SECONDS: '86400' }),
        dir,
      );
      const client = await connectMcp(server.url);
      try {
        for (const { kind, queries } of plan) {
          const times: number[] = [];
          for (const [i, q] of queries.entries()) {
            const started = performance.now();
            const answer = await callTool(client, 'search', { ...q.tool, limit: 20 });
            if (answer.isError)
              console.error(`search ${JSON.stringify(q.tool)}: ${answer.text.split('\n')[0] ?? ''}`);
            if (i >= 5) times.push(performance.now() - started);
          }
          mcpTimes.set(kind, times);
        }
      } finally {
        await client.close();
        await server.proc.stop();
        await sandbox.close();
      }
    }
    for (const { kind } of plan) {
      const totals = hits.get(kind) ?? [];
      const mcp = mcpTimes.get(kind);
      rows.push({
        kind,
        port: summarize(portTimes.get(kind) ?? [0]),
        mcp: mcp?.length ? summarize(mcp) : null,
        meanHits: Math.round(totals.reduce((a, b) => a + b, 0) / Math.max(1, totals.length)),
      });
    }
    console.log(
      formatTable(
        [
          'query kind',
          'mean hits',
          'SQL p50 ms',
          'SQL p95 ms',
          'SQL p99 ms',
          'MCP p50 ms',
          'MCP p95 ms',
          'MCP p99 ms',
        ],
        rows.map((r) => [
          r.kind,
          r.meanHits,
          r.port.p50,
          r.port.p95,
          r.port.p99,
          r.mcp?.p50,
          r.mcp?.p95,
          r.mcp?.p99,
        ]),
      ),
    );
    const figures = { mirror: { tests: mirror.tests, bugs: mirror.bugs }, kinds: rows };
    const file = writeResult({ benchmark: 'search', scale: options.scale, options: { ...options }, figures });
    console.error(`written ${file}`);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
