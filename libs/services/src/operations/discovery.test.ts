/**
 * The discovery operations on the real stack: sandbox (seed 7, small) → client → sync → SQLite →
 * readers → services. Numbers are checked against the sandbox's ground truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ProductNotFoundError,
  TestNotFoundError,
  UpstreamError,
  UserNotFoundError,
} from '@testio-mcp/domain';
import {
  failingApi,
  must,
  rejection,
  startStack,
  type Stack,
  stackEngines,
  type StackEngine,
} from '../__fixtures__/stack.js';
import {
  listBugsInputSchema,
  listFeaturesInputSchema,
  listProductsInputSchema,
  listTestsInputSchema,
  listUsersInputSchema,
} from '../index.js';
import { TRUNCATION_MARKER } from '../bounds.js';

describe.each(stackEngines)('on $name', ({ name }) => {
  let stack: Stack<StackEngine>;
  beforeAll(async () => {
    stack = await startStack({ engine: name });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const outage = () =>
    new UpstreamError({
      message: 'TestIO is unavailable (HTTP 503)',
      status: 503,
      operation: { method: 'GET', path: 'products' },
    });

  describe('list_products', () => {
    it('lists every product with its test and feature counts', async () => {
      const out = await stack.services.listProducts(listProductsInputSchema.parse({}));
      expect(stack.sync.status).toBe('success');
      expect(out.total_count).toBe(stack.truth.totals.products);
      expect(out.per_page).toBe(50);
      for (const p of stack.truth.products) {
        const row = must(
          out.products.find((x) => x.id === p.id),
          `product ${p.id}`,
        );
        expect(row.name).toBe(p.name);
        expect(row.test_count).toBe(p.tests);
        expect(row.feature_count).toBe(p.features);
        expect(row.tests_last_90_days).toBeGreaterThanOrEqual(row.tests_last_30_days);
      }
      expect(out.products.map((p) => p.name)).toEqual(
        [...out.products.map((p) => p.name)].sort((a, b) => a.localeCompare(b)),
      );
      expect(out.stale).toBe(false);
      expect(out.data_as_of).not.toBeNull();
    });

    it('searches title and description, and filters by type', async () => {
      const withDescription = must(
        (await stack.services.listProducts(listProductsInputSchema.parse({}))).products.find(
          (p) => p.description,
        ),
        'a product with a description',
      );
      const word = must(
        must(withDescription.description).split(':')[1]?.trim().split(' ')[0],
        'a description word',
      );
      const byDescription = await stack.services.listProducts(
        listProductsInputSchema.parse({ search: word.toUpperCase() }),
      );
      expect(byDescription.products.map((p) => p.id)).toContain(withDescription.id);

      const websites = await stack.services.listProducts(
        listProductsInputSchema.parse({ product_type: 'website' }),
      );
      expect(websites.total_count).toBeGreaterThan(0);
      expect(websites.products.every((p) => p.type === 'website')).toBe(true);
      expect(websites.filters_applied.product_type).toEqual(['website']);
    });

    it('pages exactly: has_more is false on an exactly-full last page, offset adds to the page offset', async () => {
      const total = stack.truth.totals.products; // 5
      const first = await stack.services.listProducts(listProductsInputSchema.parse({ per_page: total - 1 }));
      expect(first.pagination).toMatchObject({
        total_count: total,
        has_more: true,
        start_index: 0,
        end_index: total - 2,
      });
      const full = await stack.services.listProducts(listProductsInputSchema.parse({ per_page: total }));
      expect(full.pagination.has_more).toBe(false);
      const shifted = await stack.services.listProducts(
        listProductsInputSchema.parse({ page: 2, per_page: 2, offset: 1 }),
      );
      expect(shifted.pagination).toMatchObject({ offset: 3, start_index: 3, end_index: 4, has_more: false });
      expect(shifted.products.map((p) => p.id)).toEqual(full.products.slice(3, 5).map((p) => p.id));
    });

    it('serves the mirror with a warning and the stale flag when TestIO is down', async () => {
      const services = stack.withServices({
        api: failingApi(stack.api, outage()),
        settings: { productListRefreshSeconds: 0 },
      });
      const out = await services.listProducts(listProductsInputSchema.parse({}));
      expect(out.total_count).toBe(stack.truth.totals.products);
      expect(out.stale).toBe(true);
      expect(out.warnings?.join('\n')).toMatch(
        /Could not refresh the product list from TestIO \(TestIO is unavailable/,
      );
    });

    it('respects the configured product scope', async () => {
      const [a, b] = stack.truth.products;
      const services = stack.withServices({ settings: { productIds: [must(a).id, must(b).id] } });
      const out = await services.listProducts(listProductsInputSchema.parse({}));
      expect(out.products.map((p) => p.id).sort()).toEqual([must(a).id, must(b).id].sort());
      const error = await rejection(
        services.listTests(listTestsInputSchema.parse({ product_id: must(stack.truth.products[2]).id })),
      );
      expect(error).toBeInstanceOf(ProductNotFoundError);
    });
  });

  describe('list_tests', () => {
    it('counts every test of a product and each status exactly', async () => {
      for (const p of stack.truth.products) {
        const all = await stack.services.listTests(
          listTestsInputSchema.parse({ product_id: p.id, per_page: 1 }),
        );
        expect(all.pagination.total_count, `tests of ${p.id}`).toBe(p.tests);
        for (const [status, n] of Object.entries(p.testsByStatus)) {
          if (status === 'waiting') continue; // not a filter value
          const filtered = await stack.services.listTests(
            listTestsInputSchema.parse({ product_id: String(p.id), statuses: status, per_page: 200 }),
          );
          expect(filtered.pagination.total_count, `${status} tests of ${p.id}`).toBe(n);
          expect(filtered.tests.every((t) => t.status === status)).toBe(true);
        }
      }
    });

    it('sorts by end date, newest first, and pages with exact has_more and additive offset', async () => {
      const p = must([...stack.truth.products].sort((a, b) => a.tests - b.tests)[0]);
      const everything = await stack.services.listTests(
        listTestsInputSchema.parse({ product_id: p.id, per_page: 200 }),
      );
      expect(everything.tests).toHaveLength(p.tests);
      const ends = everything.tests.map((t) => t.ends_at).filter((e): e is string => e !== null);
      expect(ends).toEqual([...ends].sort().reverse());
      // An exactly-full last page.
      const last = await stack.services.listTests(
        listTestsInputSchema.parse({ product_id: p.id, per_page: p.tests - 10, offset: 10 }),
      );
      expect(last.pagination).toMatchObject({
        offset: 10,
        total_count: p.tests,
        has_more: false,
        end_index: p.tests - 1,
      });
      expect(last.total_tests).toBe(p.tests - 10);
      const page3 = await stack.services.listTests(
        listTestsInputSchema.parse({ product_id: p.id, page: 3, per_page: 5, offset: 2 }),
      );
      expect(page3.tests.map((t) => t.test_id)).toEqual(everything.tests.slice(12, 17).map((t) => t.test_id));
      const beyond = await stack.services.listTests(
        listTestsInputSchema.parse({ product_id: p.id, page: 100, per_page: 50 }),
      );
      expect(beyond.pagination).toMatchObject({ has_more: false, end_index: -1, total_count: p.tests });
      expect(beyond.pagination.hint).toContain(
        `the last page with per_page=50 is ${Math.ceil(p.tests / 50)}`,
      );
      expect(beyond.tests).toEqual([]);
      // In range, no hint.
      expect(page3.pagination.hint).toBeUndefined();
    });

    it('uses the configured default page size and keeps page text bounded', async () => {
      const p = must([...stack.truth.products].sort((a, b) => b.tests - a.tests)[0]);
      const services = stack.withServices({ settings: { defaultPageSize: 7 } });
      const out = await services.listTests(listTestsInputSchema.parse({ product_id: p.id }));
      expect(out.pagination.per_page).toBe(7);
      const big = await stack.services.listTests(
        listTestsInputSchema.parse({ product_id: p.id, per_page: 200 }),
      );
      expect(JSON.stringify(big).length).toBeLessThan(100_000);
      for (const t of big.tests) {
        if (t.goal && t.goal.length > 120) expect(t.goal.endsWith(TRUNCATION_MARKER)).toBe(true);
      }
    });

    it('names list_products when the product does not exist', async () => {
      const error = await rejection(
        stack.services.listTests(listTestsInputSchema.parse({ product_id: 999_999 })),
      );
      expect(error).toBeInstanceOf(ProductNotFoundError);
      expect((error as ProductNotFoundError).toUserText()).toMatch(
        /^❌ Product ID '999999' not found\nℹ️ .+\n💡 Use the list_products tool/,
      );
    });
  });

  describe('list_features', () => {
    it('lists a product catalogue with counts; has_user_stories filters', async () => {
      for (const p of stack.truth.products) {
        const out = await stack.services.listFeatures(
          listFeaturesInputSchema.parse({ product_id: p.id, per_page: 200 }),
        );
        expect(out.pagination.total_count).toBe(p.features);
        expect(out.features).toHaveLength(p.features);
        const withStories = await stack.services.listFeatures(
          listFeaturesInputSchema.parse({ product_id: p.id, has_user_stories: 'true' }),
        );
        expect(withStories.pagination.total_count).toBe(
          out.features.filter((f) => f.user_story_count > 0).length,
        );
        expect(out.stale).toBe(false);
      }
    });

    it('sorts by bug count through the whitelist', async () => {
      const p = must(stack.truth.products[0]);
      const out = await stack.services.listFeatures(
        listFeaturesInputSchema.parse({ product_id: p.id, sort_by: 'bug_count', sort_order: 'desc' }),
      );
      const counts = out.features.map((f) => f.bug_count);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
    });

    it('names list_products for an unknown product', async () => {
      expect(
        await rejection(stack.services.listFeatures(listFeaturesInputSchema.parse({ product_id: 424242 }))),
      ).toBeInstanceOf(ProductNotFoundError);
    });
  });

  describe('list_users', () => {
    it('lists testers and customers active within the window, from real activity', async () => {
      const all = await stack.services.listUsers(listUsersInputSchema.parse({ days: 36_500, per_page: 200 }));
      const testers = await stack.services.listUsers(
        listUsersInputSchema.parse({ days: 36_500, user_type: 'tester', per_page: 1 }),
      );
      const customers = await stack.services.listUsers(
        listUsersInputSchema.parse({ days: 36_500, user_type: 'customer', per_page: 1 }),
      );
      expect(testers.pagination.total_count).toBeGreaterThan(0);
      expect(customers.pagination.total_count).toBeGreaterThan(0);
      expect(all.pagination.total_count).toBeGreaterThanOrEqual(
        Math.max(testers.pagination.total_count, customers.pagination.total_count),
      );
      expect(all.users.every((u) => u.last_activity !== null)).toBe(true);
      const recent = await stack.services.listUsers(listUsersInputSchema.parse({ days: 30, per_page: 200 }));
      expect(recent.pagination.total_count).toBeLessThan(all.pagination.total_count);
      const cutoff = recent.filter.active_since;
      expect(recent.users.every((u) => (u.last_activity ?? '') >= cutoff)).toBe(true);
    });

    it('sorts by last activity and explains an empty answer', async () => {
      const out = await stack.services.listUsers(
        listUsersInputSchema.parse({ sort_by: 'last_activity', sort_order: 'desc', per_page: 20 }),
      );
      const seen = out.users.map((u) => u.last_activity ?? '');
      expect(seen).toEqual([...seen].sort().reverse());
      const none = await stack.services.listUsers(
        listUsersInputSchema.parse({ days: 1, user_type: 'tester', page: 1000 }),
      );
      expect(none.users).toEqual([]);
    });
  });

  describe('list_bugs', () => {
    const testsWithBugs = () => must(stack.truth.tests).filter((t) => t.bugs > 0);

    it('lists the bugs of the given tests, counted exactly per status', async () => {
      const [a, b] = testsWithBugs();
      const ids = [must(a).id, must(b).id];
      const out = await stack.services.listBugs(
        listBugsInputSchema.parse({ test_ids: ids.join(','), per_page: 200 }),
      );
      expect(out.pagination.total_count).toBe(must(a).bugs + must(b).bugs);
      expect(out.bugs.every((bug) => ids.includes(bug.test_id) && typeof bug.id === 'number')).toBe(true);
      for (const [status, n] of Object.entries(must(a).bugsByStatus)) {
        const filtered = await stack.services.listBugs(
          listBugsInputSchema.parse({ test_ids: [must(a).id], status }),
        );
        expect(filtered.pagination.total_count, status).toBe(n);
      }
      expect(out.stale).toBe(false);
    });

    it('sorts severity by rank and pages exactly', async () => {
      const t = must(testsWithBugs().sort((x, y) => y.bugs - x.bugs)[0]);
      const out = await stack.services.listBugs(
        listBugsInputSchema.parse({ test_ids: t.id, sort_by: 'severity', sort_order: 'desc', per_page: 200 }),
      );
      const rank = ['critical', 'high', 'low', 'visual', 'content', 'custom'];
      const ranks = out.bugs.map((b) => rank.indexOf(b.severity ?? ''));
      expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
      const exact = await stack.services.listBugs(
        listBugsInputSchema.parse({ test_ids: t.id, per_page: t.bugs }),
      );
      expect(exact.pagination.has_more).toBe(false);
      const short = await stack.services.listBugs(
        listBugsInputSchema.parse({ test_ids: t.id, per_page: t.bugs - 1 }),
      );
      expect(short.pagination.has_more).toBe(true);
    });

    it('filters by reporter and warns about unknown test ids', async () => {
      const t = must(testsWithBugs()[0]);
      const first = must(
        (await stack.services.listBugs(listBugsInputSchema.parse({ test_ids: t.id, per_page: 1 }))).bugs[0],
      );
      const users = await stack.services.listUsers(
        listUsersInputSchema.parse({ days: 36_500, user_type: 'tester', per_page: 200 }),
      );
      expect(users.users.length).toBeGreaterThan(0);
      const bugSummary = await stack.services.getBugSummary({ bug_id: first.id });
      const reporter = must(bugSummary.reported_by_user);
      const byReporter = await stack.services.listBugs(
        listBugsInputSchema.parse({ test_ids: [t.id, 77], reported_by_user_id: String(reporter.id) }),
      );
      expect(byReporter.bugs.map((b) => b.id)).toContain(first.id);
      expect(byReporter.warnings?.join('\n')).toMatch(/1 test\(s\) not found \(IDs: 77\).*list_tests/);
    });

    it('fails with the listing tools named for unknown tests and users', async () => {
      const error = await rejection(
        stack.services.listBugs(listBugsInputSchema.parse({ test_ids: [77, 78] })),
      );
      expect(error).toBeInstanceOf(TestNotFoundError);
      expect((error as TestNotFoundError).toUserText()).toMatch(/💡 Use the list_tests tool/);
      const t = must(testsWithBugs()[0]);
      const userError = await rejection(
        stack.services.listBugs(listBugsInputSchema.parse({ test_ids: t.id, reported_by_user_id: 999_999 })),
      );
      expect(userError).toBeInstanceOf(UserNotFoundError);
      expect((userError as UserNotFoundError).toUserText()).toMatch(/💡 Use the list_users tool/);
    });
  });

  describe('a page past the end of any list', () => {
    it('is an empty page with the exact total and a hint naming the last page, never an error', async () => {
      const p = must([...stack.truth.products].sort((a, b) => b.tests - a.tests)[0]);
      const testIds = (stack.truth.tests ?? [])
        .filter((t) => t.productId === p.id && t.bugs > 0)
        .slice(0, 3)
        .map((t) => t.id);
      const far = { page: 999, per_page: 7 };
      const answers = {
        list_products: await stack.services.listProducts(listProductsInputSchema.parse(far)),
        list_tests: await stack.services.listTests(listTestsInputSchema.parse({ product_id: p.id, ...far })),
        list_features: await stack.services.listFeatures(
          listFeaturesInputSchema.parse({ product_id: p.id, ...far }),
        ),
        list_users: await stack.services.listUsers(listUsersInputSchema.parse({ days: 36_500, ...far })),
        list_bugs: await stack.services.listBugs(listBugsInputSchema.parse({ test_ids: testIds, ...far })),
      };
      const firstPages = {
        list_products: await stack.services.listProducts(listProductsInputSchema.parse({})),
        list_tests: await stack.services.listTests(listTestsInputSchema.parse({ product_id: p.id })),
        list_features: await stack.services.listFeatures(listFeaturesInputSchema.parse({ product_id: p.id })),
        list_users: await stack.services.listUsers(listUsersInputSchema.parse({ days: 36_500 })),
        list_bugs: await stack.services.listBugs(listBugsInputSchema.parse({ test_ids: testIds })),
      };
      for (const [tool, answer] of Object.entries(answers)) {
        const total = firstPages[tool as keyof typeof firstPages].pagination.total_count;
        expect(total, tool).toBeGreaterThan(0);
        const lastPage = Math.ceil(total / 7);
        expect(answer.pagination, tool).toEqual({
          page: 999,
          per_page: 7,
          offset: 998 * 7,
          start_index: 998 * 7,
          end_index: -1,
          total_count: total,
          has_more: false,
          hint: expect.stringContaining(`the last page with per_page=7 is ${lastPage}`) as unknown,
        });
      }
      // The named last page is the one that holds the last item.
      const productTotal = firstPages.list_products.pagination.total_count;
      const onLast = await stack.services.listProducts(
        listProductsInputSchema.parse({ page: Math.ceil(productTotal / 7), per_page: 7 }),
      );
      expect(onLast.pagination.end_index).toBe(productTotal - 1);
      expect(onLast.pagination.hint).toBeUndefined();
      expect(answers.list_tests.tests).toEqual([]);
      expect(answers.list_bugs.bugs).toEqual([]);
      expect(answers.list_users.users).toEqual([]);
      expect(answers.list_features.features).toEqual([]);
      expect(answers.list_products.products).toEqual([]);
    });
  });
});
