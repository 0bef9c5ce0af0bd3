import { describe, expect, it } from 'vitest';
import { SANDBOX_SCALES } from '../types.js';
import { type TestLike, TEST_ANCHOR, allTests, getJson, must, start } from '../__fixtures__/client.js';
import { Account } from '../state/account.js';
import { SCALE_CONFIG } from './scales.js';

describe('scales', () => {
  it.each(SANDBOX_SCALES)('%s has its product count and both product shapes', (scale) => {
    const account = new Account(7, scale, TEST_ANCHOR.getTime());
    expect(account.catalog.products).toHaveLength(SCALE_CONFIG[scale].products);
    expect(account.table.count).toBe(SCALE_CONFIG[scale].tests);
    expect(account.catalog.products.some((p) => p.hasSections)).toBe(true);
    expect(account.catalog.products.some((p) => !p.hasSections)).toBe(true);
    for (const product of account.catalog.products.filter((p) => p.hasSections)) {
      expect(product.json.sections.length).toBeGreaterThanOrEqual(2);
      expect(product.json.sections.length).toBeLessThanOrEqual(4);
    }
  });

  it('demo holds about 60 tests', async () => {
    const sandbox = await start({ scale: 'demo' });
    try {
      const truth = sandbox.truth();
      expect(truth.totals.products).toBe(3);
      expect(truth.totals.tests).toBeGreaterThan(45);
      expect(truth.totals.tests).toBeLessThanOrEqual(60);
    } finally {
      await sandbox.close();
    }
  });

  it('medium has a product with more than 1,000 tests, walkable to its short last page', async () => {
    const sandbox = await start({ scale: 'medium' });
    try {
      const truth = sandbox.truth();
      expect(truth.totals.tests).toBeGreaterThan(9_000);
      expect(truth.totals.bugs).toBeGreaterThan(150_000);
      expect(truth.totals.bugs).toBeLessThan(260_000);
      const largest = must([...truth.products].sort((a, b) => b.tests - a.tests)[0]);
      expect(largest.tests).toBeGreaterThan(1_000);
      const walked = await allTests(sandbox, largest.id, 250);
      expect(walked).toHaveLength(largest.tests);
      expect(new Set(walked.map((t) => t.id)).size).toBe(largest.tests);
    } finally {
      await sandbox.close();
    }
  });

  it('large generates on demand: about 50k tests and 1M bugs, pages and bugs readable', async () => {
    const sandbox = await start({ scale: 'large' });
    try {
      const truth = sandbox.truth();
      expect(truth.totals.products).toBe(50);
      expect(truth.totals.tests).toBeGreaterThan(45_000);
      expect(truth.totals.tests).toBeLessThanOrEqual(50_000);
      expect(truth.totals.bugs).toBeGreaterThan(800_000);
      expect(truth.totals.bugs).toBeLessThan(1_300_000);
      const product = must(truth.products[0]);
      const page = await getJson<{ exploratory_tests: TestLike[] }>(
        sandbox,
        `/products/${product.id}/exploratory_tests?page=3&per_page=25`,
      );
      expect(page.exploratory_tests).toHaveLength(25);
      const bugs = await getJson<{ bugs: Array<{ id: number }> }>(
        sandbox,
        `/bugs?filter_test_cycle_ids=${page.exploratory_tests.map((t) => t.id).join(',')}`,
      );
      const one = must(bugs.bugs[bugs.bugs.length - 1]);
      expect(await getJson(sandbox, `/bugs/${one.id}`)).toEqual({ bug: one });
    } finally {
      await sandbox.close();
    }
  });
});
