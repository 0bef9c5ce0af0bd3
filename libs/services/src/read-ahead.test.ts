/**
 * Answers asked while the first sync has listed the products but not walked their tests (ADR 0012): the
 * real stack with a sync that ran its products phase only, numbers checked against the sandbox's truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must, startStack, type Stack } from './__fixtures__/stack.js';
import { listBugsInputSchema, listProductsInputSchema, listTestsInputSchema } from './index.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ phases: ['products'] });
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

/** Products ordered by their number of tests, most first. */
const byTests = () => [...stack.truth.products].sort((a, b) => b.tests - a.tests);

describe('before the first sync walked a product', () => {
  it('list_tests reads the product tests and their bugs first, and answers the real numbers', async () => {
    const product = must(byTests()[0]);
    const answer = await stack.services.listTests(
      listTestsInputSchema.parse({ product_id: product.id, per_page: 20 }),
    );
    expect(answer.pagination.total_count).toBe(product.tests);
    expect(answer.tests).toHaveLength(20);
    const truthBugs = new Map((stack.truth.tests ?? []).map((t) => [t.id, t.bugs]));
    for (const test of answer.tests) expect(test.bug_count).toBe(truthBugs.get(test.test_id));
    expect(answer.warnings ?? []).toEqual([]);
    expect(answer.stale).toBe(false);
  });

  it('answers what exists, with the first sync progress and when to ask again, when the tests cannot be read in time', async () => {
    const product = must(byTests()[1]);
    // One product was read by the test above. Another process holds the sync lease: the first sync is running elsewhere.
    const now = stack.clock.now();
    await stack.db.stores.syncState.acquireLease('sync-worker:1@elsewhere', 60_000, now);
    try {
      const services = stack.withServices({
        readThrough: { ...stack.readThrough, ensureProductTests: () => new Promise(() => undefined) },
        settings: { firstSyncWaitMs: 0 },
      });
      const answer = await services.listTests(listTestsInputSchema.parse({ product_id: product.id }));
      expect(answer.pagination.total_count).toBe(0);
      const warning = (answer.warnings ?? []).join('\n');
      expect(warning).toContain(
        `The first sync is still running (tests of 1 of ${stack.truth.totals.products} products read so far)`,
      );
      expect(warning).toContain(`the tests of product ${product.id} are still being read`);
      expect(warning).toMatch(/ask again in/);
    } finally {
      await stack.db.stores.syncState.releaseLease('sync-worker:1@elsewhere');
    }
  });

  it('list_products reads ahead the products of its page, so every test_count is the real one', async () => {
    const answer = await stack.services.listProducts(listProductsInputSchema.parse({}));
    expect(answer.total_count).toBe(stack.truth.totals.products);
    for (const row of answer.products)
      expect(row.test_count).toBe(stack.truth.products.find((p) => p.id === row.id)?.tests);
    expect((answer.warnings ?? []).join(' ')).not.toMatch(/first sync/);
  });

  it('list_bugs of a test the mirror lacks asks TestIO for the test instead of answering "not found"', async () => {
    // A test of a product that the read-aheads above did walk is in the mirror; drop one to stand for a
    // test the sync has not reached.
    const test = must((stack.truth.tests ?? []).find((t) => t.bugs > 0));
    await stack.db.stores.tests.deleteTests([test.id]);
    const answer = await stack.services.listBugs(listBugsInputSchema.parse({ test_ids: [test.id] }));
    expect(answer.pagination.total_count).toBe(test.bugs);
  });
});
