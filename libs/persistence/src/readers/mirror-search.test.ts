import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bug, product, test as testOf } from '../__fixtures__/entities.js';
import { READ_ENGINES, type ReadTestDatabase } from '../__fixtures__/read-engines.js';
import { SEARCH_COUNT_CAP } from '@testio-mcp/domain';
import { SEARCH_CANDIDATES_PER_ENTITY } from './mirror-search.js';

const T0 = new Date('2025-02-01T08:00:00.000Z');
const MANY = SEARCH_CANDIDATES_PER_ENTITY + 20;

describe.each(READ_ENGINES)('search on $name', (engine) => {
  let db: ReadTestDatabase;
  beforeEach(async () => {
    db = await engine.open();
    await db.write(async (stores) => {
      const s = stores();
      await s.products.upsertProducts([product(1), product(2)], T0);
      await s.tests.upsertTests([testOf(10, 1), testOf(20, 2)], T0);
      // Product 1's bugs come first (lowest pks), then more matches of product 2 than the ranking window.
      await s.bugs.replaceBugsOfTests(
        [10],
        Array.from({ length: 5 }, (_, i) => bug(1000 + i, 10, { title: `Zebra crossing ${i}` })),
        T0,
      );
      await s.bugs.replaceBugsOfTests(
        [20],
        Array.from({ length: MANY }, (_, i) =>
          bug(2000 + i, 20, {
            title: i === MANY - 1 ? `Zebra stripes ${i}` : `Broken ${i}`,
            actual_result: `zebra ${i}`,
          }),
        ),
        T0,
      );
    });
  });
  afterEach(async () => {
    await db.cleanup();
  });

  describe('search over more matches than the ranking window', () => {
    it('counts every match exactly and ranks the most recently added ones', async () => {
      const search = db.mirrorSearch(1);
      const all = await search.search({ query: 'zebra', entityTypes: ['bug'], limit: 100 });
      expect(all.total).toBe(5 + MANY);
      expect(all.results).toHaveLength(100);
      // Title matches first among the candidates: the old title matches of product 1 are outside the window.
      expect(all.results[0]).toMatchObject({ entity_id: 2000 + MANY - 1, title_match: true });
      expect(all.results.slice(1).every((r) => !r.title_match)).toBe(true);
      const newest = new Set(
        Array.from({ length: SEARCH_CANDIDATES_PER_ENTITY }, (_, i) => 2000 + MANY - 1 - i),
      );
      for (const hit of all.results) expect(newest.has(hit.entity_id)).toBe(true);
      expect(all.results.every((r) => r.snippet?.includes('**'))).toBe(true);

      // Paging past the window widens it.
      const deep = await search.search({ query: 'zebra', entityTypes: ['bug'], limit: 10, offset: MANY - 5 });
      expect(deep.results).toHaveLength(10);
    });

    it('finds the matches of a product whose rows are older than the window', async () => {
      const search = db.mirrorSearch(1);
      const old = await search.search({ query: 'zebra', productIds: [1], limit: 100 });
      expect(old.total).toBe(5);
      expect(old.results.map((r) => r.entity_id).sort()).toEqual([1000, 1001, 1002, 1003, 1004]);
      expect(old.results.every((r) => r.title_match && r.snippet !== null)).toBe(true);

      const dated = await search.search({
        query: 'zebra',
        productIds: [2],
        from: new Date('2000-01-01'),
        limit: 5,
      });
      expect(dated.total).toBe(MANY);
      expect(dated.results[0]).toMatchObject({ entity_id: 2000 + MANY - 1, title_match: true });
    });

    it('counts and ranks per tenant when the file holds another tenant', async () => {
      await db.write(async (stores) => {
        const other = stores(2);
        await other.products.upsertProducts([product(1)], T0);
        await other.tests.upsertTests([testOf(10, 1)], T0);
        await other.bugs.replaceBugsOfTests([10], [bug(1000, 10, { title: 'Zebra of another tenant' })], T0);
      });
      const search = db.mirrorSearch(2);
      const result = await search.search({ query: 'zebra', limit: 100 });
      expect(result.total).toBe(1);
      expect(result.results.map((r) => r.title)).toEqual(['Zebra of another tenant']);

      // The other tenant's matches are the newest: tenant 1 still gets a full page of its own.
      await db.write((stores) =>
        stores(2).bugs.replaceBugsOfTests(
          [10],
          Array.from({ length: MANY }, (_, i) => bug(5000 + i, 10, { title: `Zebra elsewhere ${i}` })),
          T0,
        ),
      );
      const first = await db.mirrorSearch(1).search({
        query: 'zebra',
        entityTypes: ['bug'],
        limit: 100,
      });
      expect(first.total).toBe(5 + MANY);
      expect(first.results).toHaveLength(100);
      expect(first.results.every((r) => r.entity_id < 5000)).toBe(true);
    });
  });

  describe('search over more matches than the count cap', () => {
    it('counts up to the cap and says the total is a lower bound beyond it, per entity type and filter', async () => {
      await db.write((stores) =>
        stores().bugs.replaceBugsOfTests(
          [20],
          Array.from({ length: SEARCH_COUNT_CAP + 5 }, (_, i) =>
            bug(3000 + i, 20, { title: `Zebra herd ${i}` }),
          ),
          T0,
        ),
      );
      const search = db.mirrorSearch(1);
      const bugs = await search.search({ query: 'zebra', entityTypes: ['bug'], limit: 10 });
      expect(bugs).toMatchObject({ total: SEARCH_COUNT_CAP, totalIsLowerBound: true });
      // The newest matches are ranked: the page is of the herd, title matches first.
      expect(bugs.results.every((r) => r.entity_id >= 3000 && r.title_match)).toBe(true);

      // Product 1 holds 5 of them: exact again.
      const product1 = await search.search({ query: 'zebra', productIds: [1], limit: 10 });
      expect(product1).toMatchObject({ total: 5, totalIsLowerBound: false });
      const product2 = await search.search({ query: 'zebra', productIds: [2], limit: 10 });
      expect(product2).toMatchObject({ total: SEARCH_COUNT_CAP, totalIsLowerBound: true });
      const herd = await search.search({ query: 'herd', limit: 10 });
      expect(herd).toMatchObject({ total: SEARCH_COUNT_CAP, totalIsLowerBound: true });
      const few = await search.search({ query: 'crossing', limit: 10 });
      expect(few).toMatchObject({ total: 5, totalIsLowerBound: false });
    });
  });
});
