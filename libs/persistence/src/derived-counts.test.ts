/**
 * The counts migration `*_derived_counts` keeps by trigger (ADR 0018) against counting the rows
 * themselves, through inserts, re-syncs that change devices and platforms, deletions and a second tenant.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bug, product, test as testOf } from './__fixtures__/entities.js';
import { createAnalyticsReader, createMirrorReader } from './readers/index.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

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
