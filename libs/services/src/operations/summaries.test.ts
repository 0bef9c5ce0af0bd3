/**
 * The entity summaries on the real stack (sandbox seed 7 small → client → sync → SQLite → services),
 * cross-checked with the sandbox's ground truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BugNotFoundError,
  FeatureNotFoundError,
  NotFoundError,
  ProductNotFoundError,
  TestNotFoundError,
  UpstreamError,
  UserNotFoundError,
} from '@testio-mcp/domain';
import { createReadThrough } from '@testio-mcp/sync';
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
  getBugSummaryInputSchema,
  getTestSummaryInputSchema,
  listBugsInputSchema,
  listFeaturesInputSchema,
  listUsersInputSchema,
  parseInput,
} from '../index.js';

describe.each(stackEngines)('on $name', ({ name }) => {
  let stack: Stack<StackEngine>;
  beforeAll(async () => {
    stack = await startStack({ engine: name });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  const tests = () => must(stack.truth.tests);

  describe('get_test_summary', () => {
    it('aggregates a test’s bugs exactly as the truth counts them, with rates over those counts', async () => {
      const t = must([...tests()].sort((a, b) => b.bugs - a.bugs)[0]);
      const out = await stack.services.getTestSummary(
        parseInput(getTestSummaryInputSchema, { test_id: String(t.id) }),
      );
      expect(out.test.id).toBe(t.id);
      expect(out.test.status).toBe(t.status);
      const { bugs } = out;
      expect(bugs.total_count).toBe(t.bugs);
      const byStatus = (s: string) => t.bugsByStatus[s] ?? 0;
      expect(bugs.by_status).toEqual({
        active_accepted: byStatus('accepted'),
        auto_accepted: byStatus('auto_accepted'),
        total_accepted: byStatus('accepted') + byStatus('auto_accepted'),
        rejected: byStatus('rejected'),
        open: byStatus('forwarded'),
      });
      expect(Object.values(bugs.by_severity).reduce((a, b) => a + b, 0)).toBe(t.bugs);
      const r = bugs.acceptance_rates;
      const round = (x: number) => Math.round(x * 10_000) / 10_000;
      expect(r.rejection_rate).toBe(round(byStatus('rejected') / t.bugs));
      expect(r.overall_acceptance_rate).toBe(
        round((byStatus('accepted') + byStatus('auto_accepted')) / t.bugs),
      );
      expect(r.review_rate).toBe(round((byStatus('accepted') + byStatus('rejected')) / t.bugs));
      const accepted = byStatus('accepted') + byStatus('auto_accepted');
      expect(r.auto_acceptance_rate).toBe(
        accepted === 0 ? null : round(byStatus('auto_accepted') / accepted),
      );
      expect(r.has_alert).toBe(r.auto_acceptance_rate !== null && r.auto_acceptance_rate > 0.2);
      expect(bugs.recent_bugs.length).toBe(Math.min(3, t.bugs));
      const recent = bugs.recent_bugs.map((b) => b.created_at ?? '');
      expect(recent).toEqual([...recent].sort().reverse());
      expect(out.stale).toBe(false);
      expect(out.data_as_of).not.toBeNull();
    });

    it('matches the product’s bug totals by severity and status when summed over all its tests', async () => {
      const p = must([...stack.truth.products].sort((a, b) => a.tests - b.tests)[0]);
      const severity: Record<string, number> = {};
      let open = 0;
      for (const t of tests().filter((x) => x.productId === p.id)) {
        const out = await stack.services.getTestSummary({ test_id: t.id });
        for (const [k, v] of Object.entries(out.bugs.by_severity)) severity[k] = (severity[k] ?? 0) + v;
        open += out.bugs.by_status.open;
      }
      for (const [k, v] of Object.entries(p.bugsBySeverity)) expect(severity[k] ?? 0, k).toBe(v);
      expect(open).toBe(p.bugsByStatus['forwarded'] ?? 0);
    });

    it('has null rates for a test without bugs and formats the required platforms', async () => {
      const t = must(tests().find((x) => x.bugs === 0));
      const out = await stack.services.getTestSummary({ test_id: t.id });
      expect(out.bugs.total_count).toBe(0);
      expect(out.bugs.acceptance_rates).toMatchObject({
        active_acceptance_rate: null,
        auto_acceptance_rate: null,
        overall_acceptance_rate: null,
        rejection_rate: null,
        review_rate: null,
        has_alert: false,
      });
      for (const r of out.test.requirements_summary ?? [])
        expect(r.platform).toMatch(/^\S.*?( \d[\w.]*(\+|-[\w.]+)?| ≤[\w.]+)?( \(.+\))?$/);
      if (out.test.feature) {
        const feature = await stack.services.getFeatureSummary({ feature_id: out.test.feature.id });
        expect(feature.id).toBe(out.test.feature.id);
      }
    });

    it('is not found, naming list_tests, for an unknown test (TestIO answers 404)', async () => {
      const error = await rejection(stack.services.getTestSummary({ test_id: 4_040_404 }));
      expect(error).toBeInstanceOf(TestNotFoundError);
      expect((error as NotFoundError).toUserText()).toMatch(
        /^❌ Test ID '4040404' not found\nℹ️ .+\n💡 Use the list_tests tool/,
      );
    });

    it('serves the mirror with a warning when TestIO cannot be reached', async () => {
      const t = must(tests().find((x) => x.status === 'running' && x.bugs > 0));
      const down = new UpstreamError({
        message: 'TestIO is unavailable (HTTP 503)',
        status: 503,
        operation: { method: 'GET', path: `exploratory_tests/${t.id}` },
      });
      // A read-through cache wired to a TestIO that is down.
      const failing = stack.withServices({
        readThrough: createReadThrough({
          api: failingApi(stack.api, down),
          stores: stack.db.stores,
          clock: stack.clock,
          logger: stack.deps.logger,
        }),
      });
      const out = await failing.getTestSummary({ test_id: t.id });
      expect(out.bugs.total_count).toBe(t.bugs);
      expect(out.stale).toBe(true);
      expect(out.warnings?.join('\n')).toMatch(
        new RegExp(`Could not refresh test ${t.id} from TestIO \\(TestIO is unavailable`),
      );
    });
  });

  describe('get_product_summary', () => {
    it('counts tests per status, features and user stories as the truth does', async () => {
      for (const p of stack.truth.products) {
        const out = await stack.services.getProductSummary({ product_id: p.id });
        expect(out.title).toBe(p.name);
        expect(out.test_count).toBe(p.tests);
        expect(out.feature_count).toBe(p.features);
        expect(out.user_story_count).toBe(p.userStories);
        const expected = Object.fromEntries(Object.entries(p.testsByStatus).filter(([, n]) => n > 0));
        expect(out.tests_by_status).toEqual(expected);
        expect(out.stale).toBe(false);
      }
    });

    it('is not found, naming list_products', async () => {
      const error = await rejection(stack.services.getProductSummary({ product_id: 31337 }));
      expect(error).toBeInstanceOf(ProductNotFoundError);
      expect((error as NotFoundError).toUserText()).toContain('💡 Use the list_products tool');
    });
  });

  describe('get_feature_summary', () => {
    it('matches the feature list row and lists its user stories', async () => {
      const p = must(stack.truth.products[0]);
      const list = await stack.services.listFeatures(
        listFeaturesInputSchema.parse({ product_id: p.id, per_page: 200 }),
      );
      for (const row of list.features) {
        const f = await stack.services.getFeatureSummary({ feature_id: row.id });
        expect(f).toMatchObject({
          id: row.id,
          test_count: row.test_count,
          bug_count: row.bug_count,
          user_story_count: row.user_story_count,
        });
        expect(f.user_stories).toHaveLength(Math.min(50, row.user_story_count));
        expect(f.product).toEqual({ id: p.id, name: p.name });
      }
    });

    it('is not found, naming list_features', async () => {
      const error = await rejection(stack.services.getFeatureSummary({ feature_id: 1 }));
      expect(error).toBeInstanceOf(FeatureNotFoundError);
      expect((error as NotFoundError).toUserText()).toContain('💡 Use the list_features tool');
    });
  });

  describe('get_user_summary', () => {
    it('counts a tester’s bugs and a customer’s tests from the data', async () => {
      const testers = await stack.services.listUsers(
        listUsersInputSchema.parse({ days: 36_500, user_type: 'tester', per_page: 3 }),
      );
      const tester = must(testers.users[0]);
      const t = await stack.services.getUserSummary({ user_id: tester.id });
      expect(t.roles).toContain('tester');
      expect(t.bugs_reported_count).toBeGreaterThan(0);
      expect(t.last_activity).toBe(tester.last_activity);

      const customers = await stack.services.listUsers(
        listUsersInputSchema.parse({ days: 36_500, user_type: 'customer', per_page: 200 }),
      );
      let created = 0;
      for (const c of customers.users)
        created += (await stack.services.getUserSummary({ user_id: c.id })).tests_created_count ?? 0;
      expect(created).toBe(await stack.count('SELECT count(*) AS n FROM tests WHERE created_by IS NOT NULL'));
    });

    it('is not found, naming list_users', async () => {
      const error = await rejection(stack.services.getUserSummary({ user_id: 999_999 }));
      expect(error).toBeInstanceOf(UserNotFoundError);
      expect((error as NotFoundError).toUserText()).toContain('💡 Use the list_users tool');
    });
  });

  describe('get_bug_summary', () => {
    it('returns the bug with its test, product, reporter and catalogue feature', async () => {
      const t = must(tests().find((x) => x.bugs > 2));
      const list = await stack.services.listBugs(listBugsInputSchema.parse({ test_ids: t.id }));
      const row = must(list.bugs[0]);
      const b = await stack.services.getBugSummary(
        parseInput(getBugSummaryInputSchema, { bug_id: `${row.id}` }),
      );
      expect(b).toMatchObject({
        id: row.id,
        title: row.title,
        severity: row.severity,
        status: row.status,
        test: { id: t.id },
      });
      expect(b.product.id).toBe(t.productId);
      if (b.feature) {
        // The catalogue id (not the per-test copy): get_feature_summary accepts it.
        expect((await stack.services.getFeatureSummary({ feature_id: b.feature.id })).id).toBe(b.feature.id);
      }
      if (b.reported_by_user)
        expect((await stack.services.getUserSummary({ user_id: b.reported_by_user.id })).username).toBe(
          b.reported_by_user.username,
        );
    });

    it('is not found, naming list_bugs', async () => {
      const error = await rejection(stack.services.getBugSummary({ bug_id: 5 }));
      expect(error).toBeInstanceOf(BugNotFoundError);
      expect((error as NotFoundError).toUserText()).toMatch(
        /^❌ Bug ID '5' not found\nℹ️ .+\n💡 Use the list_bugs tool/,
      );
    });
  });
});
