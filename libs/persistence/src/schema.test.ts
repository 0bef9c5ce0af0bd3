import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPrismaSchema, type SchemaField } from './__fixtures__/prisma-schema.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

/** The SQLite declared type our migrations use for each Prisma scalar (Prisma's own SQLite mapping). */
const DECLARED_TYPE: Record<string, string> = {
  Int: 'INTEGER',
  String: 'TEXT',
  Boolean: 'BOOLEAN',
  DateTime: 'DATETIME',
  Json: 'JSONB',
};

const FTS_TABLES = ['products', 'features', 'tests', 'bugs'];

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

let db: TestDatabase;
beforeAll(() => {
  db = createTestDatabase();
});
afterAll(async () => {
  await db.cleanup();
});

function columns(table: string): ColumnInfo[] {
  return db.sqlite
    .prepare(`SELECT name, type, "notnull", pk FROM pragma_table_info(?)`)
    .all(table) as ColumnInfo[];
}

describe('schema.prisma vs the migrated database', () => {
  const models = readPrismaSchema();

  it('parses every model of the schema', () => {
    expect(models.map((m) => m.name)).toEqual([
      'Product',
      'Section',
      'Feature',
      'UserStory',
      'Test',
      'TestFeature',
      'TestPlatform',
      'Bug',
      'TestBugCount',
      'TestBugTotal',
      'User',
      'SyncMetadata',
      'SyncRun',
      'ProblematicRange',
      'SyncLease',
      'Tenant',
      'ApiKey',
      'AuditEntry',
      'SyncJob',
      'RateWindow',
      'InstanceSecret',
      'McpTask',
    ]);
  });

  it.each(models.map((m) => [m.name, m] as const))(
    '%s: every field is a column of the right type and nullability',
    (_name, model) => {
      const actual = new Map(columns(model.table).map((c) => [c.name, c]));
      expect(actual.size, `table ${model.table} exists`).toBeGreaterThan(0);
      for (const field of model.fields) {
        const column = actual.get(field.column);
        expect(column, `${model.name}.${field.name} → ${model.table}.${field.column}`).toBeDefined();
        expect(column?.type, `${model.table}.${field.column} type`).toBe(DECLARED_TYPE[field.type]);
        const nullable = column?.notnull === 0 && column.pk === 0;
        expect(nullable, `${model.table}.${field.column} nullability`).toBe(field.optional);
      }
    },
  );

  it.each(models.map((m) => [m.name, m] as const))(
    '%s: the table has no column the schema does not know',
    (_name, model) => {
      const known = new Set(model.fields.map((f: SchemaField) => f.column));
      expect(
        columns(model.table)
          .filter((c) => !known.has(c.name))
          .map((c) => c.name),
      ).toEqual([]);
    },
  );

  it('has no table outside the schema except Prisma bookkeeping and the FTS5 index', () => {
    const tables = (
      db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    const allowed = new Set([
      ...models.map((m) => m.table),
      '_prisma_migrations',
      'sqlite_sequence',
      // Counts kept by triggers (migration *_derived_counts, ADR 0018).
      'entity_counts',
      'platform_counts',
      // The analytics aggregates by key (migration *_analytics_aggregates_by_key, ADR 0021).
      'test_bug_attr_counts',
      'test_author_bug_totals',
      'test_feature_bug_totals',
      'test_platform_bug_totals',
      ...FTS_TABLES.flatMap((t) => [
        `${t}_fts`,
        ...['data', 'idx', 'docsize', 'config'].map((s) => `${t}_fts_${s}`),
      ]),
    ]);
    expect(tables.filter((t) => !allowed.has(t))).toEqual([]);
  });

  it('maps every field to the snake_case of its name (the row types of rows.ts derive column names so)', () => {
    const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const off = models.flatMap((m) =>
      m.fields.filter((f) => f.column !== snake(f.name)).map((f) => `${m.name}.${f.name} → ${f.column}`),
    );
    expect(off).toEqual([]);
  });

  it('has a customer_id on every tenant-owned table', () => {
    // An API key, an audit entry and a sync job name their tenant by slug: tenant `default` has no tenants
    // row to point at; an MCP task names its owner as `<tenant slug>/<principal>`. Rate windows and
    // instance secrets belong to the deployment, not to a tenant.
    const byDeployment = new Set([
      'ApiKey',
      'AuditEntry',
      'SyncJob',
      'McpTask',
      'RateWindow',
      'InstanceSecret',
    ]);
    for (const model of models.filter((m) => !byDeployment.has(m.name))) {
      expect(
        model.fields.map((f) => f.column),
        model.table,
      ).toContain('customer_id');
    }
  });

  it('keys TestIO ids by tenant: (customer_id, id) is unique wherever a TestIO id is stored', () => {
    for (const table of [
      'products',
      'sections',
      'features',
      'user_stories',
      'tests',
      'test_features',
      'bugs',
    ]) {
      const unique = (
        db.sqlite.prepare(`SELECT name, "unique", origin FROM pragma_index_list(?)`).all(table) as {
          name: string;
          unique: number;
        }[]
      )
        .filter((i) => i.unique === 1)
        .map((i) =>
          (
            db.sqlite.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').all(i.name) as {
              name: string;
            }[]
          ).map((c) => c.name),
        );
      expect(unique, table).toContainEqual(['customer_id', 'id']);
    }
  });

  it('has all twelve FTS5 triggers, the thirteen count triggers and the sixteen aggregate triggers, each on its own table', () => {
    const triggers = db.sqlite
      .prepare("SELECT name, tbl_name AS tableName FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
      .all() as { name: string; tableName: string }[];
    const expected = [
      ...FTS_TABLES.flatMap((t) => ['ad', 'ai', 'au'].map((k) => ({ name: `${t}_fts_${k}`, tableName: t }))),
      ...['products', 'features', 'tests', 'users', 'bugs'].flatMap((t) =>
        ['ad', 'ai'].map((k) => ({ name: `${t}_count_${k}`, tableName: t })),
      ),
      { name: 'bugs_platforms_au', tableName: 'bugs' },
      ...['ad', 'ai', 'au'].map((k) => ({ name: `test_platforms_count_${k}`, tableName: 'test_platforms' })),
      // The per-test bug counts of the analytics (migration *_analytics_aggregates, ADR 0021).
      ...['ad', 'ai', 'au'].map((k) => ({ name: `bugs_test_counts_${k}`, tableName: 'bugs' })),
      { name: 'tests_bug_totals_ad', tableName: 'tests' },
      ...['attr_counts', 'author_totals', 'feature_totals', 'platform_totals'].flatMap((table) =>
        ['ad', 'ai', 'au'].map((k) => ({ name: `bugs_test_${table}_${k}`, tableName: 'bugs' })),
      ),
    ];
    expect(triggers).toEqual(expected.sort((a, b) => a.name.localeCompare(b.name)));
  });

  it('fires the FTS update triggers only for the indexed columns', () => {
    for (const t of FTS_TABLES) {
      const sql = (
        db.sqlite.prepare('SELECT sql FROM sqlite_master WHERE name = ?').get(`${t}_fts_au`) as {
          sql: string;
        }
      ).sql;
      expect(sql).toMatch(/AFTER UPDATE OF "title"/);
      expect(sql).not.toMatch(/synced_at/);
    }
  });

  it('sets WAL, foreign keys and a busy timeout on the connection', () => {
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.sqlite.pragma('busy_timeout', { simple: true })).toBe(10_000);
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('sets the same PRAGMAs on the Prisma connection', async () => {
    const rows = await db.prisma.$queryRawUnsafe<{ v: bigint | number }[]>(
      'SELECT foreign_keys AS v FROM pragma_foreign_keys',
    );
    expect(Number(rows[0]?.v)).toBe(1);
    const timeout = await db.prisma.$queryRawUnsafe<{ timeout: bigint | number }[]>('PRAGMA busy_timeout');
    expect(Number(timeout[0]?.timeout)).toBe(10_000);
  });

  it('reads every model through the generated client', async () => {
    const p = db.prisma;
    await expect(
      Promise.all([
        p.product.count(),
        p.section.count(),
        p.feature.count(),
        p.userStory.count(),
        p.test.count(),
        p.testFeature.count(),
        p.testPlatform.count(),
        p.bug.count(),
        p.user.count(),
        p.syncMetadata.count(),
        p.syncRun.count(),
        p.problematicRange.count(),
        p.syncLease.count(),
      ]),
    ).resolves.toEqual(Array(13).fill(0));
  });
});
