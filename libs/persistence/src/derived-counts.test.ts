/**
 * The counts migration `*_derived_counts` keeps by trigger (ADR 0018) against counting the rows
 * themselves, through inserts, re-syncs that change devices and platforms, deletions and a second tenant.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bug, product, test as testOf } from './__fixtures__/entities.js';
import { createAnalyticsReader, createMirrorReader } from './readers/index.js';
import { createTestDatabase, type EngineTestDatabase, type TestDatabase, testEngines } from './testing.js';

const T0 = new Date('2025-02-01T08:00:00.000Z');

let db: TestDatabase;
beforeEach(() => {
  db = createTestDatabase();
});
afterEach(async () => {
  await db.cleanup();
});

/** The computation the counts replace: every row counted, every bug's devices read. */
function counted(customerId: number) {
  const count = (table: string) =>
    (
      db.sqlite.prepare(`SELECT count(*) AS n FROM ${table} WHERE customer_id = ?`).get(customerId) as {
        n: number;
      }
    ).n;
  const platforms = db.sqlite
    .prepare(
      `SELECT os FROM (
         SELECT DISTINCT operating_system AS os FROM test_platforms WHERE customer_id = @c AND operating_system IS NOT NULL
         UNION
         SELECT DISTINCT json_extract(d.value, '$.operating_system') AS os FROM bugs b, json_each(b.devices) d
         WHERE b.customer_id = @c AND json_extract(d.value, '$.operating_system') IS NOT NULL
       ) ORDER BY os COLLATE NOCASE`,
    )
    .pluck()
    .all({ c: customerId }) as string[];
  return {
    products: count('products'),
    features: count('features'),
    tests: count('tests'),
    bugs: count('bugs'),
    users: count('users'),
    platforms,
  };
}

async function kept(customerId: number) {
  const stats = await createMirrorReader(db.sqlite, customerId).stats();
  return {
    products: stats.products,
    features: stats.features,
    tests: stats.tests,
    bugs: stats.bugs,
    users: stats.users,
    platforms: await createAnalyticsReader(db.sqlite, customerId).listPlatforms(),
  };
}

const device = (os: string) => ({
  category: { name: 'Phones' },
  operating_system: { name: os },
  browsers: [{ name: 'Safari' }],
});

describe('counts kept by the sync', () => {
  it('equal the rows and platforms counted, through inserts, changes and deletions, per tenant', async () => {
    expect(await kept(1)).toEqual(counted(1));

    await db.stores.products.upsertProducts([product(1), product(2)], T0);
    await db.stores.tests.upsertTests([testOf(10, 1), testOf(20, 2)], T0);
    await db.stores.bugs.replaceBugsOfTests(
      [10, 20],
      [
        bug(100, 10, { devices: [device('iOS'), device('iOS'), device('Android')] }),
        bug(101, 10),
        bug(200, 20, { devices: [device('Linux')] }),
      ],
      T0,
    );
    const other = db.forCustomer(2);
    await other.stores.products.upsertProducts([product(1)], T0);
    await other.stores.tests.upsertTests([testOf(10, 1)], T0);
    await other.stores.bugs.replaceBugsOfTests([10], [bug(100, 10, { devices: [device('Haiku')] })], T0);
    const first = await kept(1);
    expect(first).toEqual(counted(1));
    expect(first.bugs).toBe(3);
    expect(first.platforms).toEqual(['Android', 'iOS', 'Linux', 'Windows']);
    expect(await kept(2)).toEqual(counted(2));

    // A re-sync changes a bug's devices and drops another bug: Linux is no longer seen, iOS still is.
    await db.stores.bugs.replaceBugsOfTests(
      [10, 20],
      [bug(100, 10, { devices: [device('iOS')] }), bug(101, 10)],
      T0,
    );
    const second = await kept(1);
    expect(second).toEqual(counted(1));
    expect(second.platforms).toEqual(['iOS', 'Windows']);

    // A test whose platforms change, then a deleted test (its bugs go with it).
    await db.stores.tests.upsertTests(
      [
        testOf(20, 2, {
          requirements: [
            {
              category: { id: 1, key: 'phones', name: 'Phones' },
              operating_system: { id: 9, key: 'tvos', name: 'tvOS' },
              browsers: [],
            },
          ],
        }),
      ],
      T0,
    );
    expect(await kept(1)).toEqual(counted(1));
    await db.stores.tests.deleteTests([10]);
    const third = await kept(1);
    expect(third).toEqual(counted(1));
    expect(third.bugs).toBe(0);
    expect(await kept(2)).toEqual(counted(2));
  });
});

/**
 * The same counts and analytics aggregates on PostgreSQL (plpgsql triggers of the baseline migration, ADR
 * 0029): one sequence of writes through the stores on both engines, and after each step every row of every
 * trigger-kept table (but the surrogate `pk`) is the same on both, and the per-entity counts equal the rows.
 */
const AGGREGATE_TABLES = [
  'entity_counts',
  'platform_counts',
  'test_bug_counts',
  'test_bug_totals',
  'test_bug_attr_counts',
  'test_author_bug_totals',
  'test_feature_bug_totals',
  'test_platform_bug_totals',
] as const;

function normalised(rows: Record<string, unknown>[]): string[] {
  return rows
    .map((row) => {
      const { pk: _pk, ...rest } = row;
      const values = Object.entries(rest)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${k}=${typeof v === 'boolean' ? Number(v) : v === null ? 'NULL' : String(v)}`);
      return values.join(',');
    })
    .sort();
}

describe('counts and aggregates agree between SQLite and PostgreSQL', () => {
  const dbs: EngineTestDatabase[] = [];
  beforeEach(async () => {
    dbs.push(...(await Promise.all(testEngines.map((e) => e.open()))));
  });
  afterEach(async () => {
    await Promise.all(dbs.splice(0).map((d) => d.cleanup()));
  });

  const both = (fn: (d: EngineTestDatabase) => Promise<unknown>) => Promise.all(dbs.map(fn));

  async function expectAgreement(step: string) {
    const [sqlite, postgres] = dbs;
    if (!sqlite || !postgres) throw new Error('both engines must be open');
    for (const table of AGGREGATE_TABLES) {
      const sql = `SELECT * FROM ${table}`;
      expect(normalised(await postgres.rows(sql)), `${step}: ${table}`).toEqual(
        normalised(await sqlite.rows(sql)),
      );
    }
    for (const d of dbs) {
      for (const entity of ['products', 'features', 'tests', 'bugs', 'users']) {
        const [row] = await d.rows<{ rows: number; kept: number | null }>(
          `SELECT (SELECT count(*) FROM ${entity} WHERE customer_id = 1) AS rows,
                  (SELECT n FROM entity_counts WHERE customer_id = 1 AND entity = '${entity}') AS kept`,
        );
        expect(Number(row?.kept ?? 0), `${step}: ${d.engine} ${entity}`).toBe(Number(row?.rows));
      }
    }
  }

  const withEntity = <B extends { entity: object }>(stored: B, patch: Partial<B['entity']>): B => ({
    ...stored,
    entity: { ...stored.entity, ...patch },
  });

  it('through inserts, changes of every aggregate key, moves between tests, deletions and a second tenant', async () => {
    await both(async (d) => {
      await d.stores.products.upsertProducts([product(1), product(2)], T0);
      await d.stores.tests.upsertTests([testOf(10, 1), testOf(11, 1), testOf(20, 2)], T0);
      await d.stores.bugs.replaceBugsOfTests(
        [10, 11, 20],
        [
          bug(100, 10, { devices: [device('iOS'), device('iOS'), device('Android')] }),
          bug(101, 10, { severity: 'critical', status: 'forwarded', known: true, devices: [] }),
          withEntity(bug(102, 10, { status: 'rejected', severity: 'visual' }), {
            rejection_reason: 'intended_behavior',
          } as never),
          bug(103, 11, { author: { name: 'tester.tina' }, status: null, severity: null }),
          bug(200, 20, { devices: [device('Linux')], test_feature: null, auto_accepted: true }),
        ],
        T0,
      );
      const other = d.forCustomer(2);
      await other.stores.products.upsertProducts([product(1)], T0);
      await other.stores.tests.upsertTests([testOf(10, 1)], T0);
      await other.stores.bugs.replaceBugsOfTests([10], [bug(100, 10, { devices: [device('Haiku')] })], T0);
    });
    await expectAgreement('inserted');

    // Status and severity change (same keys elsewhere), author and feature change, devices change.
    await both((d) =>
      d.stores.bugs.replaceBugsOfTests(
        [10, 11, 20],
        [
          bug(100, 10, { status: 'rejected', severity: 'low', devices: [device('iOS')] }),
          bug(101, 10, { severity: 'critical', status: 'accepted', known: false, devices: [] }),
          bug(102, 10, { author: { name: 'tester.tina' }, test_feature: { id: 1002, feature_id: 502 } }),
          bug(103, 11, { author: { name: 'tester.tina' }, status: null, severity: null }),
          bug(200, 20, { devices: [device('Linux'), device('Windows')], test_feature: null }),
        ],
        T0,
      ),
    );
    await expectAgreement('changed');

    // A bug moves to another test; another bug is dropped.
    await both((d) =>
      d.stores.bugs.replaceBugsOfTests(
        [10, 11],
        [bug(100, 11, { status: 'rejected', severity: 'low', devices: [device('iOS')] }), bug(101, 10)],
        T0,
      ),
    );
    await expectAgreement('moved');

    // Platform changes of a test, then deleted tests (their bugs go with them) and a deleted product.
    await both(async (d) => {
      await d.stores.tests.upsertTests(
        [
          testOf(20, 2, {
            requirements: [
              {
                category: { id: 1, key: 'phones', name: 'Phones' },
                operating_system: { id: 9, key: 'tvos', name: 'tvOS' },
                browsers: [],
              },
            ],
          }),
        ],
        T0,
      );
    });
    await expectAgreement('platforms');
    await both((d) => d.stores.tests.deleteTests([10]));
    await expectAgreement('test deleted');
    await both((d) => d.stores.products.deleteProductsExcept([]));
    await expectAgreement('products deleted');
  });
});
