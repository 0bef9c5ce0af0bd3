import { InvalidInputError } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bug, feature, product, test as testOf } from './__fixtures__/entities.js';
import { READ_ENGINES, type ReadTestDatabase } from './__fixtures__/read-engines.js';
import { PG_SEARCH_INDEXES, SEARCH_CONFIG } from './postgres/search.js';
import type { SearchIndex } from './search.js';

const T0 = new Date('2025-02-01T08:00:00.000Z');
const WEIGHTS = 'ABCD';

describe.each(READ_ENGINES)('search on $name', (engine) => {
  let db: ReadTestDatabase;
  let search: SearchIndex;

  /** One index row per base row, each holding what its base row's text gives (FTS5's integrity check). */
  async function ftsRowsMatchBaseRows(): Promise<void> {
    if (db.sqlite) {
      const sqlite = db.sqlite;
      for (const table of ['products', 'features', 'tests', 'bugs']) {
        const base = (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
        const indexed = (
          sqlite.prepare(`SELECT count(*) AS n FROM ${table}_fts_docsize`).get() as { n: number }
        ).n;
        expect(indexed, table).toBe(base);
        sqlite.prepare(`INSERT INTO ${table}_fts(${table}_fts, rank) VALUES ('integrity-check', 1)`).run();
      }
      return;
    }
    const pool = db.pool;
    if (!pool) throw new Error('no connection');
    for (const index of PG_SEARCH_INDEXES) {
      const vector = index.columns
        .map(
          (c, i) => `setweight(to_tsvector('${SEARCH_CONFIG}', coalesce(e.${c}::text, '')), '${WEIGHTS[i]}')`,
        )
        .join(' || ');
      const { rows } = await pool.query<{ base: number; indexed: number; stale: number }>(
        `SELECT (SELECT count(*) FROM ${index.table}) AS base, (SELECT count(*) FROM ${index.table}_fts) AS indexed,
         (SELECT count(*) FROM ${index.table} e LEFT JOIN ${index.table}_fts s ON s.pk = e.pk
          WHERE s.vector IS DISTINCT FROM (${vector}) OR s.customer_id IS DISTINCT FROM e.customer_id) AS stale`,
      );
      expect(rows[0], index.table).toEqual({ base: rows[0]?.base, indexed: rows[0]?.base, stale: 0 });
    }
  }

  /** Runs `sql` and says whether the index row of the test (tenant 1, id 100) was written. */
  async function rewritesIndex(sql: string): Promise<boolean> {
    if (db.sqlite) {
      const sqlite = db.sqlite;
      const before = (sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
      sqlite.prepare(sql).run();
      return (sqlite.prepare('SELECT total_changes() AS n').get() as { n: number }).n - before > 1;
    }
    const pool = db.pool;
    if (!pool) throw new Error('no connection');
    const version = async () =>
      (
        await pool.query<{ v: string }>(
          'SELECT s.xmin::text AS v FROM tests_fts s JOIN tests e ON e.pk = s.pk WHERE e.customer_id = 1 AND e.id = 100',
        )
      ).rows[0]?.v;
    const before = await version();
    await pool.query(sql);
    return (await version()) !== before;
  }

  beforeAll(async () => {
    db = await engine.open();
    await db.write(async (store) => {
      const stores = store();
      await stores.products.upsertProducts(
        [
          product(1, { name: 'Web shop', description: 'The customer facing storefront' }),
          product(2, { name: 'Mobile banking', description: 'iOS and Android apps' }),
        ],
        T0,
      );
      await stores.features.replaceProductFeatures(
        1,
        [
          feature(10, 1, {
            title: 'Checkout',
            description: 'Paying for the basket',
            howtofind: 'Cart → Pay',
          }),
        ],
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
      const other = store(2);
      await other.products.upsertProducts([product(1, { name: 'Checkout of the other tenant' })], T0);
      await other.tests.upsertTests([testOf(100, 1, { title: 'Checkout elsewhere' })], T0);
    });
    search = db.searchIndex(1);
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
      expect(keys(await db.searchIndex(2).search({ query: 'checkout' })).sort()).toEqual([
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

    it('keeps one index row per base row, and passes the integrity checks', async () => {
      await ftsRowsMatchBaseRows();
    });
  });

  describe('search index maintenance', () => {
    it('follows updates and deletes', async () => {
      await db.write((stores) =>
        stores().bugs.replaceBugsOfTests(
          [101],
          [bug(1001, 101, { title: 'Renamed to zebra', actual_result: 'nothing else' })],
          T0,
        ),
      );
      expect(keys(await search.search({ query: 'zebra' }))).toEqual(['bug:1001']);
      expect(keys(await search.search({ query: 'landing' }))).toEqual([]);
      await db.write((stores) => stores().tests.deleteTests([101]));
      expect(keys(await search.search({ query: 'zebra' }))).toEqual([]);
      expect(keys(await search.search({ query: 'storefront' }))).toEqual(['product:1']);
      await db.write((stores) =>
        stores().products.upsertProducts(
          [product(1, { name: 'Web shop', description: 'Now a marketplace' })],
          T0,
        ),
      );
      expect(keys(await search.search({ query: 'storefront' }))).toEqual([]);
      await ftsRowsMatchBaseRows();
    });

    it('does not rewrite the index for bookkeeping updates or unchanged rows', async () => {
      // One row changed, no trigger work.
      expect(
        await rewritesIndex(
          "UPDATE tests SET synced_at = '2030-01-01T00:00:00.000+00:00', status = 'locked' WHERE customer_id = 1 AND id = 100",
        ),
      ).toBe(false);
      expect(await rewritesIndex('UPDATE tests SET title = title WHERE customer_id = 1 AND id = 100')).toBe(
        false,
      );
      // A title change rewrites the document.
      expect(
        await rewritesIndex(
          "UPDATE tests SET title = 'Checkout regression v2 quokka' WHERE customer_id = 1 AND id = 100",
        ),
      ).toBe(true);
      expect(keys(await search.search({ query: 'quokka' }))).toEqual(['test:100']);
      await ftsRowsMatchBaseRows();
    });

    it('drops the index rows of deleted base rows', async () => {
      const remove = 'DELETE FROM tests WHERE customer_id = 1 AND id = 100';
      if (db.sqlite) db.sqlite.prepare(remove).run();
      else await db.pool?.query(remove);
      expect(keys(await search.search({ query: 'quokka' }))).toEqual([]);
      await ftsRowsMatchBaseRows();
    });
  });
});
