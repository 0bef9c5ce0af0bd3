import { PassThrough, Readable } from 'node:stream';
import { createTestIOClient } from '@testio-mcp/api-client';
import type { AnalyticsReader, MetricQuery, MirrorReader, SearchPort } from '@testio-mcp/domain';
import {
  copySqliteToPostgres,
  createAnalyticsReader,
  createMirrorReader,
  createMirrorSearch,
  createPgAnalyticsReader,
  createPgMirrorReader,
  createPgMirrorSearch,
  createPgPool,
  DERIVED_REBUILDS,
  DERIVED_TABLES,
  type MirrorDatabase,
  openDatabase,
  openPostgresDatabase,
  type PgMirrorDatabase,
} from '@testio-mcp/persistence';
import {
  createEmptyPgDatabase,
  createTestDatabase,
  type TestDatabase,
} from '@testio-mcp/persistence/testing';
import { createSyncEngine } from '@testio-mcp/sync';
import { createCaptureLogger } from '@testio-mcp/sync/testing';
import type { RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKeysCommand } from '../principals/keys-command.js';
import { runDbCommand } from './db-command.js';

/**
 * `testio-mcp db copy`: two sandboxes synced into one real SQLite file as two tenants, copied into fresh
 * PostgreSQL databases; the copy answers as the original does (truth counts, every trigger-kept table row
 * for row, reader, search and metric answers), its bulk rebuild of the derived tables equals what the
 * per-row triggers write, a used target is refused, and the copy takes the next sync.
 */

const ANCHOR = new Date('2025-06-01T00:00:00Z');
let sandbox: RunningSandbox;
/** A second, smaller account synced as tenant 2 into the same file. */
let otherSandbox: RunningSandbox;
let sqlite: TestDatabase;
let otherTenant: MirrorDatabase;
let env: Record<string, string>;
const drops: (() => Promise<void>)[] = [];

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr, stdin: Readable.from(['']) }, out: () => out, err: () => err };
}

function syncEngine(stores: TestDatabase['stores'], holderId: string, from: RunningSandbox = sandbox) {
  const offset = new Date(from.truth().now).getTime() - Date.now();
  return createSyncEngine({
    api: createTestIOClient({
      baseUrl: from.baseUrl,
      token: from.token,
      retries: 2,
      retryBaseDelayMs: 1,
    }),
    stores,
    clock: { now: () => new Date(Date.now() + offset) },
    logger: createCaptureLogger(),
    options: { holderId },
  });
}

async function emptyTarget(): Promise<string> {
  const target = await createEmptyPgDatabase();
  drops.push(target.drop);
  return target.url;
}

beforeAll(async () => {
  // Loaded lazily, as the CLI loads it (the module-boundary rule wants one way).
  const { startSandbox } = await import('@testio-mcp/testio-sandbox');
  sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  sqlite = createTestDatabase({ customerId: 1 });
  await syncEngine(sqlite.stores, 'db-copy-test').run({ mode: 'force', trigger: 'manual_cli' });
  otherSandbox = await startSandbox({ port: 0, seed: 8, scale: 'demo', anchor: ANCHOR });
  otherTenant = openDatabase({ path: sqlite.path, customerId: 2 });
  await syncEngine(otherTenant.stores, 'db-copy-test-2', otherSandbox).run({
    mode: 'force',
    trigger: 'manual_cli',
  });
  env = { TESTIO_DB_PATH: sqlite.path, TESTIO_CUSTOMER_ID: '1' };
  // A principal row and its audit trail, so the copy has more than the mirror.
  const keys = io();
  expect(
    await runKeysCommand(['create', '--tenant', 'default', '--role', 'viewer', '--name', 'ci'], env, keys.io),
  ).toBe(0);
}, 300_000);

afterAll(async () => {
  for (const drop of drops) await drop();
  await otherTenant?.close();
  await sqlite?.cleanup();
  await sandbox?.close();
  await otherSandbox?.close();
});

const sqliteRows = (sql: string): unknown[] => sqlite.sqlite.prepare(sql).all();

/** A derived table's rows without its surrogate key, in one order, with SQLite's value shapes. */
async function derivedRows(
  table: string,
  read: (sql: string) => Promise<Record<string, unknown>[]> | Record<string, unknown>[],
): Promise<string[]> {
  const rows = await read(`SELECT * FROM "${table}"`);
  return rows
    .map((row) => {
      const { pk: _pk, rowid: _rowid, ...rest } = row;
      return JSON.stringify(
        Object.fromEntries(
          Object.entries(rest)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, typeof v === 'boolean' ? Number(v) : v]),
        ),
      );
    })
    .sort();
}

async function readerAnswers(reader: MirrorReader, search: SearchPort): Promise<unknown> {
  const products = await reader.listProducts({
    offset: 0,
    limit: 50,
    sortBy: 'title',
    sortOrder: 'asc',
    recentSince: { days30: new Date('2025-05-01T00:00:00Z'), days90: new Date('2025-03-01T00:00:00Z') },
  });
  const productId = products.items[0]?.id ?? 0;
  const tests = await reader.listTests({
    productId,
    offset: 0,
    limit: 20,
    sortBy: 'end_at',
    sortOrder: 'desc',
  });
  const testIds = tests.items.map((t) => t.id);
  expect(testIds.length).toBeGreaterThan(0);
  return {
    products,
    tests,
    test: await reader.getTestDetail(testIds[0] ?? 0),
    bugs: await reader.listBugs({ testIds, offset: 0, limit: 50, sortBy: 'severity', sortOrder: 'desc' }),
    stats: await reader.stats(),
    // Scores are each engine's own (ADR 0030): the same hits, in any order.
    search: await search.search({ query: 'login', limit: 50 }).then((r) => ({
      total: r.total,
      hits: r.results.map((h) => `${h.entity_type} ${h.entity_id} ${h.title_match}`).sort(),
    })),
  };
}

/**
 * A few metric queries across the aggregate paths and the bug-level one, rows in the order they come:
 * groups that tie on the metric and the label (two features of one name in two products) are ordered by
 * their ids on both engines.
 */
async function metricAnswers(reader: AnalyticsReader): Promise<unknown[]> {
  const queries: Omit<MetricQuery, 'sortOrder' | 'limit' | 'scope'>[] = [
    { dimensions: ['product'], metrics: ['test_count', 'bug_count', 'overall_acceptance_rate'] },
    { dimensions: ['severity', 'status'], metrics: ['bug_count', 'rejection_rate'] },
    { dimensions: ['platform'], metrics: ['bug_count', 'bugs_per_test'] },
    { dimensions: ['tester'], metrics: ['bug_count', 'active_acceptance_rate'] },
    { dimensions: ['feature', 'month'], metrics: ['bug_count', 'bug_severity_score', 'features_tested'] },
  ];
  const answers: unknown[] = [];
  for (const query of queries) {
    const { rows, totalRows } = await reader.runMetricQuery({
      ...query,
      scope: {},
      sortOrder: 'desc',
      limit: 1000,
    });
    answers.push({ totalRows, rows: rows.map((row) => JSON.stringify(row)) });
  }
  return answers;
}

/** Every row of a table, each in one canonical text form, in one order (PostgreSQL on both sides). */
async function pgTableRows(url: string, table: string): Promise<string[]> {
  const pool = createPgPool(url);
  try {
    const { rows } = await pool.query<Record<string, unknown>>(`SELECT * FROM "${table}"`);
    return rows.map((row) => JSON.stringify(row)).sort();
  } finally {
    await pool.end();
  }
}

/** Every trigger-kept table but the search documents (FTS5 has no tsvector) holds SQLite's rows. */
async function expectDerivedAsOnSqlite(pg: PgMirrorDatabase): Promise<void> {
  const tables = [...DERIVED_TABLES].filter((t) => !t.endsWith('_fts') && t !== '_prisma_migrations');
  expect(tables.length).toBeGreaterThan(5);
  for (const table of tables) {
    const onPg = await derivedRows(table, async (sql) => (await pg.pool.query(sql)).rows);
    expect(onPg.length, table).toBeGreaterThan(0);
    expect(onPg, table).toEqual(
      await derivedRows(table, (sql) => sqliteRows(sql) as Record<string, unknown>[]),
    );
  }
}

describe('testio-mcp db copy', () => {
  let target: string;
  let pg: PgMirrorDatabase;

  beforeAll(async () => {
    target = await emptyTarget();
    const run = io();
    const code = await runDbCommand(['copy', '--to', target, '--batch-size', '97'], env, run.io);
    expect(run.err()).toEqual(expect.stringContaining('copying'));
    expect(run.err()).toMatch(/bugs_fts: [1-9]\d* \(rebuilt\)/);
    expect(code).toBe(0);
    expect(run.out()).toMatch(/counts verified/);
    pg = await openPostgresDatabase({ url: target, customerId: 1 });
  }, 180_000);
  afterAll(async () => {
    await pg?.close();
  });

  it('prints each table with the same count on both engines', async () => {
    const again = io();
    // --json on a second target, to read the numbers.
    const second = await emptyTarget();
    expect(await runDbCommand(['copy', '--to', second, '--json'], env, again.io)).toBe(0);
    const report = JSON.parse(again.out()) as {
      tables: { table: string; rows: number }[];
      verified: boolean;
    };
    expect(report.verified).toBe(true);
    const counts = Object.fromEntries(report.tables.map((t) => [t.table, t.rows]));
    for (const table of ['products', 'tests', 'bugs', 'users', 'sync_runs', 'api_keys']) {
      const [{ n }] = sqliteRows(`SELECT count(*) AS n FROM ${table}`) as [{ n: number }];
      expect(counts[table], table).toBe(n);
    }
    expect(counts['bugs']).toBeGreaterThan(0);
    expect(counts['api_keys']).toBe(1);
  });

  it('leaves the tables analysed and vacuumed, so the first reads are not planned blind', async () => {
    // A bulk load has no planner statistics until autovacuum runs (never where it is off): a bug's summary
    // then joined every test of the tenant. reltuples is -1 on a table never analysed; relallvisible > 0
    // once VACUUM has set the visibility map that index-only counts need.
    const { rows } = await pg.pool.query<{ relname: string; reltuples: number; relallvisible: number }>(
      `SELECT relname, reltuples, relallvisible FROM pg_class
       WHERE relname IN ('bugs', 'tests', 'products', 'bugs_fts', 'test_bug_counts') AND relkind = 'r'
       ORDER BY relname`,
    );
    expect(rows.map((r) => r.relname)).toEqual(['bugs', 'bugs_fts', 'products', 'test_bug_counts', 'tests']);
    for (const r of rows) {
      const [{ n }] = (await pg.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${r.relname}"`))
        .rows as [{ n: number }];
      expect(r.reltuples, r.relname).toBe(n);
      expect(r.relallvisible, r.relname).toBeGreaterThan(0);
    }
  });

  it('holds the same mirror: the truth counts and every trigger-kept table row for row', async () => {
    expect(await pg.queries.countsForTruthComparison()).toEqual(
      await sqlite.queries.countsForTruthComparison(),
    );
    await expectDerivedAsOnSqlite(pg);
  });

  it('answers readers, search and metric queries as the SQLite mirror does, for each tenant', async () => {
    for (const tenant of [1, 2]) {
      const expected = await readerAnswers(
        createMirrorReader(sqlite.sqlite, tenant),
        createMirrorSearch(sqlite.sqlite, tenant),
      );
      expect(
        await readerAnswers(createPgMirrorReader(pg.pool, tenant), createPgMirrorSearch(pg.pool, tenant)),
        `tenant ${tenant}`,
      ).toEqual(expected);
      const metrics = await metricAnswers(createAnalyticsReader(sqlite.sqlite, tenant));
      expect(JSON.stringify(metrics)).toMatch(/\\"bug_count\\":[1-9]/);
      expect(await metricAnswers(createPgAnalyticsReader(pg.pool, tenant)), `tenant ${tenant}`).toEqual(
        metrics,
      );
    }
    const [ours, theirs] = await Promise.all(
      [1, 2].map((tenant) =>
        pg.pool.query('SELECT count(*) AS n FROM bugs WHERE customer_id = $1', [tenant]),
      ),
    );
    expect(ours?.rows[0]).not.toEqual(theirs?.rows[0]);
  });

  it('rebuilds every derived table as the per-row triggers write it, search documents and keys included', async () => {
    const throughTriggers = await emptyTarget();
    // Opening migrates the empty database, as `db copy` does.
    const reference = await openPostgresDatabase({ url: throughTriggers, customerId: 1 });
    try {
      const result = await copySqliteToPostgres({
        sqlite: sqlite.sqlite,
        pool: reference.pool,
        derived: 'triggers',
      });
      expect(result.derived).toEqual([]);
    } finally {
      await reference.close();
    }
    for (const table of DERIVED_REBUILDS.keys()) {
      const expected = await pgTableRows(throughTriggers, table);
      expect(expected.length, table).toBeGreaterThan(0);
      expect(await pgTableRows(target, table), table).toEqual(expected);
    }
  }, 180_000);

  it('refuses a target that has rows, and --replace copies over it', async () => {
    const refused = io();
    expect(await runDbCommand(['copy', '--to', target], env, refused.io)).toBe(1);
    expect(refused.err()).toMatch(/already has rows[\s\S]*--replace/);
    const replaced = io();
    expect(await runDbCommand(['copy', '--to', target, '--replace', '--json'], env, replaced.io)).toBe(0);
    expect(await pg.queries.countsForTruthComparison()).toEqual(
      await sqlite.queries.countsForTruthComparison(),
    );
  });

  // A sync into PostgreSQL runs every row through the triggers: slow on a loaded machine.
  it('takes the next sync: new rows get new ids and the mirror ends at the truth', async () => {
    const result = await syncEngine(pg.stores, 'db-copy-pg').run({ mode: 'force', trigger: 'manual_cli' });
    expect(result, JSON.stringify([result.errors, result.failedRanges])).toMatchObject({ status: 'success' });
    const runs = (await pg.pool.query<{ id: number }>('SELECT id FROM sync_runs ORDER BY id')).rows.map(
      (r) => r.id,
    );
    expect(new Set(runs).size).toBe(runs.length);
    expect(runs.length).toBe((sqliteRows('SELECT id FROM sync_runs') as unknown[]).length + 1);
    expect(await pg.queries.countsForTruthComparison()).toEqual(
      await sqlite.queries.countsForTruthComparison(),
    );
    // The triggers took over from the rebuilt tables: still SQLite's rows, and new keys did not collide.
    await expectDerivedAsOnSqlite(pg);
  }, 240_000);

  it('refuses a URL that is not PostgreSQL with exit 2 and says what to pass', async () => {
    const run = io();
    expect(await runDbCommand(['copy', '--to', 'https://db.example/mirror'], env, run.io)).toBe(2);
    expect(run.err()).toMatch(/not a PostgreSQL URL/);
    expect(run.err()).toMatch(/--to postgresql:\/\//);
  });
});
