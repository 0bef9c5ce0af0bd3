import { PassThrough, Readable } from 'node:stream';
import { createTestIOClient } from '@testio-mcp/api-client';
import type { MirrorReader, SearchPort } from '@testio-mcp/domain';
import {
  createMirrorReader,
  createMirrorSearch,
  createPgMirrorReader,
  createPgMirrorSearch,
  DERIVED_TABLES,
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
 * `testio-mcp db copy`: the sandbox synced into a real SQLite file, copied into fresh PostgreSQL databases;
 * the copy answers as the original does (truth counts, every trigger-kept table row for row, reader and
 * search answers), a used target is refused, and the copy takes the next sync.
 */

const ANCHOR = new Date('2025-06-01T00:00:00Z');
let sandbox: RunningSandbox;
let sqlite: TestDatabase;
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

function syncEngine(stores: TestDatabase['stores'], holderId: string) {
  const offset = new Date(sandbox.truth().now).getTime() - Date.now();
  return createSyncEngine({
    api: createTestIOClient({
      baseUrl: sandbox.baseUrl,
      token: sandbox.token,
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
  env = { TESTIO_DB_PATH: sqlite.path, TESTIO_CUSTOMER_ID: '1' };
  // A principal row and its audit trail, so the copy has more than the mirror.
  const keys = io();
  expect(
    await runKeysCommand(['create', '--tenant', 'default', '--role', 'viewer', '--name', 'ci'], env, keys.io),
  ).toBe(0);
}, 180_000);

afterAll(async () => {
  for (const drop of drops) await drop();
  await sqlite?.cleanup();
  await sandbox?.close();
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

describe('testio-mcp db copy', () => {
  let target: string;
  let pg: PgMirrorDatabase;

  beforeAll(async () => {
    target = await emptyTarget();
    const run = io();
    const code = await runDbCommand(['copy', '--to', target, '--batch-size', '97'], env, run.io);
    expect(run.err()).toEqual(expect.stringContaining('copying'));
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

  it('holds the same mirror: the truth counts and every trigger-kept table row for row', async () => {
    expect(await pg.queries.countsForTruthComparison()).toEqual(
      await sqlite.queries.countsForTruthComparison(),
    );
    const tables = [...DERIVED_TABLES].filter((t) => !t.endsWith('_fts') && t !== '_prisma_migrations');
    expect(tables.length).toBeGreaterThan(5);
    for (const table of tables) {
      const onPg = await derivedRows(table, async (sql) => (await pg.pool.query(sql)).rows);
      expect(onPg.length, table).toBeGreaterThan(0);
      expect(onPg, table).toEqual(
        await derivedRows(table, (sql) => sqliteRows(sql) as Record<string, unknown>[]),
      );
    }
  });

  it('answers readers and search as the SQLite mirror does', async () => {
    const expected = await readerAnswers(
      createMirrorReader(sqlite.sqlite, 1),
      createMirrorSearch(sqlite.sqlite, 1),
    );
    expect(await readerAnswers(createPgMirrorReader(pg.pool, 1), createPgMirrorSearch(pg.pool, 1))).toEqual(
      expected,
    );
  });

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
  });

  it('refuses a URL that is not PostgreSQL with exit 2 and says what to pass', async () => {
    const run = io();
    expect(await runDbCommand(['copy', '--to', 'https://db.example/mirror'], env, run.io)).toBe(2);
    expect(run.err()).toMatch(/not a PostgreSQL URL/);
    expect(run.err()).toMatch(/--to postgresql:\/\//);
  });
});
