import { InvalidInputError, type SyncStores } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bug, feature, product, test as testOf } from './__fixtures__/entities.js';
import type { SearchIndex } from './search.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const T0 = new Date('2025-02-01T08:00:00.000Z');
let db: TestDatabase;
let stores: SyncStores;
let search: SearchIndex;

function ftsRowsMatchBaseRows(): void {
  for (const table of ['products', 'features', 'tests', 'bugs']) {
    const base = (db.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const indexed = (
      db.sqlite.prepare(`SELECT count(*) AS n FROM ${table}_fts_docsize`).get() as { n: number }
    ).n;
    expect(indexed, table).toBe(base);
    db.sqlite.prepare(`INSERT INTO ${table}_fts(${table}_fts, rank) VALUES ('integrity-check', 1)`).run();
  }
}

beforeAll(async () => {
  db = createTestDatabase();
  stores = db.stores;
  await stores.products.upsertProducts(
    [
      product(1, { name: 'Web shop', description: 'The customer facing storefront' }),
      product(2, { name: 'Mobile banking', description: 'iOS and Android apps' }),
    ],
    T0,
  );
  await stores.features.replaceProductFeatures(
    1,
    [feature(10, 1, { title: 'Checkout', description: 'Paying for the basket', howtofind: 'Cart → Pay' })],
    [],
    T0,
  );
  await stores.features.replaceProductFeatures(
    2,
    [feature(20, 2, { title: 'Money transfer', description: 'Send money to a contact' })],
    [],
    T0,
  );
  await stores.tests.upsertTests(
    [
      testOf(100, 1, {
        title: 'Checkout regression',
        goal_text: 'Find payment bugs before the sale',
        instructions_text: 'Use the e-mail login',
      }),
      testOf(101, 1, { title: 'Smoke test', goal_text: 'General exploration of the storefront' }),
      testOf(200, 2, {
        title: 'Transfer limits',
        goal_text: 'Check daily transfer limits in the checkout of payments',
      }),
    ],
    T0,
  );
  await stores.bugs.replaceBugsOfTests(
    [100, 101, 200],
    [
      bug(1000, 100, {
        title: 'Checkout button does nothing',
        steps: ['Open cart', 'Press checkout'],
        actual_result: 'Nothing',
      }),
      bug(1001, 101, {
        title: 'Typo on landing page',
        steps: ['Open the landing page'],
        actual_result: 'Checkout is spelled Chekout in the footer',
      }),
      bug(1002, 200, {
        title: 'Crash après virement',
        steps: ['Transfer money'],
        actual_result: 'App crashes',
      }),
    ],
    T0,
  );
  // Another tenant with the same words must never show up.
  const other = db.forCustomer(2).stores;
  await other.products.upsertProducts([product(1, { name: 'Checkout of the other tenant' })], T0);
  await other.tests.upsertTests([testOf(100, 1, { title: 'Checkout elsewhere' })], T0);
  search = db.search;
});

afterAll(async () => {
  await db.cleanup();
});

const keys = (r: { results: { entity_type: string; entity_id: number }[] }) =>
  r.results.map((h) => `${h.entity_type}:${h.entity_id}`);

describe('search', () => {
  it('finds entities by words in titles and bodies, title matches first', async () => {
    const result = await search.search({ query: 'checkout' });
    expect(result.match).toBe('"checkout"*');
    const titleHits = ['bug:1000', 'feature:10', 'test:100'];
    const bodyHits = ['bug:1001', 'test:200'];
    expect(keys(result).slice(0, 3).sort()).toEqual(titleHits);
    expect(keys(result).slice(3).sort()).toEqual(bodyHits);
    expect(result.total).toBe(5);
    expect(result.results.map((r) => r.title_match)).toEqual([true, true, true, false, false]);
    const scores = result.results.map((r) => r.score);
    expect(scores.every((s) => s > 0)).toBe(true);
  });

  it('weights the title: a title hit outscores a body hit in the same index', async () => {
    const result = await search.search({ query: 'checkout', entityTypes: ['bug'] });
    expect(keys(result)).toEqual(['bug:1000', 'bug:1001']);
    const [title, body] = result.results;
    expect(title && body && title.score > body.score).toBe(true);
  });

  it('returns product id, snippet with marked matches, and the base title', async () => {
    const [hit] = (await search.search({ query: 'sale', entityTypes: ['test'] })).results;
    expect(hit).toMatchObject({
      entity_type: 'test',
      entity_id: 100,
      product_id: 1,
      title: 'Checkout regression',
      title_match: false,
    });
    expect(hit?.snippet).toContain('**sale**');
  });

  it('filters by product and entity type, and pages', async () => {
    expect(keys(await search.search({ query: 'checkout', productIds: [2] }))).toEqual(['test:200']);
    expect(keys(await search.search({ query: 'checkout', productIds: [] }))).toEqual([]);
    expect(keys(await search.search({ query: 'checkout', entityTypes: ['feature', 'product'] }))).toEqual([
      'feature:10',
    ]);
    const page = await search.search({ query: 'checkout', limit: 2, offset: 2 });
    expect(page.total).toBe(5);
    expect(page.results).toHaveLength(2);
    expect((await search.search({ query: 'checkout', offset: 50 })).results).toEqual([]);
  });

  it('never shows another tenant’s rows', async () => {
    expect(keys(await search.search({ query: 'tenant elsewhere' }))).toEqual([]);
    expect(keys(await db.forCustomer(2).search.search({ query: 'checkout' })).sort()).toEqual([
      'product:1',
      'test:100',
    ]);
  });

  it('matches prefixes, stems and accents', async () => {
    expect(keys(await search.search({ query: 'chec' }))).toContain('feature:10');
    expect(keys(await search.search({ query: 'chec', prefix: false }))).toEqual([]);
    expect(keys(await search.search({ query: 'transfers' })).sort()).toEqual([
      'bug:1002',
      'feature:20',
      'test:200',
    ]);
    expect(keys(await search.search({ query: 'apres' }))).toEqual(['bug:1002']);
  });

  it('never fails on odd input', async () => {
    const odd = [
      'e-mail',
      '"',
      '""',
      'AND',
      'a AND',
      'NEAR(',
      'NEAR(checkout login, 2)',
      '(',
      ')',
      '*',
      'checkout*',
      '^checkout',
      'title:checkout',
      '-checkout',
      "'; DROP TABLE bugs; --",
      '🔥💥',
      '\u0000',
      'x'.repeat(10_000),
      'checkout '.repeat(2_000),
      '   ',
      '',
    ];
    for (const query of odd) {
      const result = await search.search({ query });
      expect(result.total, JSON.stringify(query.slice(0, 20))).toBeGreaterThanOrEqual(0);
    }
    expect(keys(await search.search({ query: 'e-mail' }))).toEqual(['test:100']);
    expect((await search.search({ query: '🔥💥' })).match).toBeNull();
    await expect(search.search({ query: 'x', entityTypes: ['user' as never] })).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('keeps one index row per base row, and passes FTS5 integrity checks', () => {
    ftsRowsMatchBaseRows();
  });
});

describe('search index maintenance', () => {
  it('follows updates and deletes', async () => {
    await stores.bugs.replaceBugsOfTests(
      [101],
      [bug(1001, 101, { title: 'Renamed to zebra', actual_result: 'nothing else' })],
      T0,
    );
    expect(keys(await search.search({ query: 'zebra' }))).toEqual(['bug:1001']);
    expect(keys(await search.search({ query: 'landing' }))).toEqual([]);
    await stores.tests.deleteTests([101]);
    expect(keys(await search.search({ query: 'zebra' }))).toEqual([]);
    expect(keys(await search.search({ query: 'storefront' }))).toEqual(['product:1']);
    await stores.products.upsertProducts(
      [product(1, { name: 'Web shop', description: 'Now a marketplace' })],
      T0,
    );
    expect(keys(await search.search({ query: 'storefront' }))).toEqual([]);
    ftsRowsMatchBaseRows();
  });

  it('does not rewrite the index for bookkeeping updates or unchanged rows', async () => {
    const changes = (sql: string) => {
      const before = (db.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
      db.sqlite.prepare(sql).run();
      return (db.sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n - before;
    };
    // One row changed, no trigger work.
    expect(
      changes(
        "UPDATE tests SET synced_at = '2030-01-01T00:00:00.000+00:00', status = 'locked' WHERE customer_id = 1 AND id = 100",
      ),
    ).toBe(1);
    expect(changes('UPDATE tests SET title = title WHERE customer_id = 1 AND id = 100')).toBe(1);
    // A title change deletes and re-inserts the document.
    expect(
      changes("UPDATE tests SET title = 'Checkout regression v2' WHERE customer_id = 1 AND id = 100"),
    ).toBeGreaterThan(1);
    ftsRowsMatchBaseRows();
  });
});
