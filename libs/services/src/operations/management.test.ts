/**
 * search, sync_data, get_server_diagnostics and get_problematic_tests on the real stack (sandbox seed 7
 * small → client → sync → SQLite → services).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, InvalidInputError, UpstreamError } from '@testio-mcp/domain';
import { createSyncEngine } from '@testio-mcp/sync';
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
  getProblematicTestsInputSchema,
  getServerDiagnosticsInputSchema,
  listTestsInputSchema,
  parseInput,
  searchInputSchema,
  syncDataInputSchema,
} from '../index.js';

describe.each(stackEngines)('on $name', ({ name }) => {
  let stack: Stack<StackEngine>;
  beforeAll(async () => {
    stack = await startStack({ engine: name });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  /** A word of a test title, to search for. */
  async function titleWord(): Promise<string> {
    const p = must(stack.truth.products[0]);
    const t = must(
      (await stack.services.listTests(listTestsInputSchema.parse({ product_id: p.id, per_page: 1 })))
        .tests[0],
    );
    return must(
      t.title.split(/\W+/).find((w) => w.length >= 4),
      'a title word',
    );
  }

  describe('search', () => {
    it('finds entities across types, best first, with product ids and snippets', async () => {
      const word = await titleWord();
      const out = await stack.services.search(parseInput(searchInputSchema, { query: word, limit: '50' }));
      expect(out.total).toBeGreaterThan(0);
      expect(out.results.length).toBe(Math.min(50, out.total));
      expect(out.results.map((r) => r.rank)).toEqual(out.results.map((_, i) => i + 1));
      const productIds = new Set(stack.truth.products.map((p) => p.id));
      expect(out.results.every((r) => productIds.has(r.product_id))).toBe(true);
      expect(out.results.some((r) => r.snippet?.includes('**'))).toBe(true);
      expect(out.sanitized_query).toBeDefined();
    });

    it('filters by entity type and product', async () => {
      const word = await titleWord();
      const p = must(stack.truth.products[0]);
      const out = await stack.services.search(
        parseInput(searchInputSchema, { query: word, entities: 'test', product_ids: `${p.id}`, limit: 100 }),
      );
      expect(out.total).toBeGreaterThan(0);
      expect(out.results.every((r) => r.entity_type === 'test' && r.product_id === p.id)).toBe(true);
    });

    it('applies date bounds to tests and bugs only, and says so', async () => {
      const word = await titleWord();
      const out = await stack.services.search(
        parseInput(searchInputSchema, { query: word, start_date: 'last 30 days', limit: 100 }),
      );
      expect(out.results.every((r) => r.entity_type === 'test' || r.entity_type === 'bug')).toBe(true);
      expect(out.warnings?.join('\n')).toMatch(
        /Date filters apply to tests .* and bugs .* only; product and feature results were left out/,
      );
      const all = await stack.services.search(
        parseInput(searchInputSchema, { query: word, entities: ['test', 'bug'] }),
      );
      expect(out.total).toBeLessThanOrEqual(all.total);
    });

    it('rejects garbage and inverted dates with the field named', async () => {
      const garbage = await rejection(
        stack.services.search(
          parseInput(searchInputSchema, { query: 'login', start_date: 'the day after never' }),
        ),
      );
      expect(garbage).toBeInstanceOf(InvalidInputError);
      expect((garbage as InvalidInputError).field).toBe('start_date');
      expect((garbage as InvalidInputError).toUserText()).toMatch(
        /^❌ Could not parse date: 'the day after never'\nℹ️ Supported formats/,
      );
      const year = await rejection(
        stack.services.search(parseInput(searchInputSchema, { query: 'login', end_date: '2025' })),
      );
      expect((year as InvalidInputError).toUserText()).toMatch(/Ambiguous year-only input/);
      const inverted = await rejection(
        stack.services.search(
          parseInput(searchInputSchema, { query: 'login', start_date: '2025-05-01', end_date: '2025-04-01' }),
        ),
      );
      expect(inverted).toBeInstanceOf(InvalidInputError);
    });

    it('runs raw FTS5 expressions and reports a syntax error instead of guessing', async () => {
      const word = await titleWord();
      const raw = await stack.services.search(
        parseInput(searchInputSchema, { query: `${word} OR zzzqqq`, match_mode: 'raw' }),
      );
      expect(raw.total).toBeGreaterThan(0);
      const error = await rejection(
        stack.services.search(parseInput(searchInputSchema, { query: `${word} AND (`, match_mode: 'raw' })),
      );
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).toUserText()).toMatch(/❌ Invalid search syntax/);
      const punctuation = await stack.services.search(parseInput(searchInputSchema, { query: '!!!' }));
      expect(punctuation).toMatchObject({ total: 0, results: [] });
      expect(punctuation.warnings?.join('\n')).toMatch(/no searchable word/);
    });
  });

  describe('get_server_diagnostics', () => {
    it('reports database counts, the runs with their real statuses, the breaker and the API', async () => {
      const out = await stack.services.getServerDiagnostics(
        parseInput(getServerDiagnosticsInputSchema, { include_sync_events: true, sync_event_limit: 3 }),
      );
      expect(out.database).toMatchObject({
        product_count: stack.truth.totals.products,
        feature_count: stack.truth.totals.features,
        test_count: stack.truth.totals.tests,
        bug_count: stack.truth.totals.bugs,
        path: stack.location,
      });
      expect(out.database.size_mb).toBeGreaterThan(0);
      expect(out.api).toMatchObject({
        checked: true,
        connected: true,
        product_count: stack.truth.totals.products,
      });
      expect(out.sync.syncs_completed_24h + out.sync.syncs_partial_24h).toBeGreaterThanOrEqual(1);
      expect(out.sync.success_rate_24h).not.toBeNull();
      expect(out.sync.circuit_breaker_active).toBe(false);
      expect(out.sync.last_sync_status).toMatch(/success|partial_failure/);
      const first = must(out.events?.at(-1));
      expect(out.events?.length).toBeLessThanOrEqual(3);
      expect(first.error).toBeNull();
      expect(must(out.storage.oldest_test_date) <= must(out.storage.newest_test_date)).toBe(true);
      expect(out.data_as_of).not.toBeNull();
    });

    it('never fails because of the API: a failed probe is reported in api', async () => {
      const down = new UpstreamError({
        message: 'Customer API authentication failed (HTTP 401 Unauthorized)',
        status: 401,
        operation: { method: 'GET', path: 'products' },
      });
      const services = stack.withServices({ api: failingApi(stack.api, down) });
      const out = await services.getServerDiagnostics(parseInput(getServerDiagnosticsInputSchema, {}));
      expect(out.api).toMatchObject({ checked: true, connected: false });
      expect(out.api.message).toMatch(/^API connection failed: Customer API authentication failed/);
      expect(out.events).toBeUndefined();
      const skipped = await services.getServerDiagnostics(
        parseInput(getServerDiagnosticsInputSchema, { check_api: 'false' }),
      );
      expect(skipped.api.checked).toBe(false);
    });
  });

  describe('sync_data and get_problematic_tests', () => {
    it('runs an incremental sync and reports the run', async () => {
      const out = await stack.services.syncData(parseInput(syncDataInputSchema, {}));
      expect(out).toMatchObject({
        status: 'success',
        mode: 'incremental',
        products_synced: stack.truth.totals.products,
        errors: [],
      });
      expect(out.run_id).toBeGreaterThan(stack.sync.runId);
    });

    it('reports unreadable test ranges as partial_failure with errors, then lists them as problematic', async () => {
      const p = must([...stack.truth.products].sort((a, b) => a.tests - b.tests)[0]);
      const poisoned = must(
        must(stack.truth.tests).find((t) => t.productId === p.id && t.status === 'archived'),
      );
      stack.sandbox.setFaults({ failTests: [poisoned.id] });
      const progress: string[] = [];
      let out;
      try {
        out = await stack.services.syncData(
          parseInput(syncDataInputSchema, { product_ids: `${p.id}`, since: 'all' }),
          {
            onProgress: (e) => progress.push(e.phase),
          },
        );
      } finally {
        stack.sandbox.setFaults({});
      }
      expect(out).toMatchObject({
        status: 'partial_failure',
        mode: 'force',
        product_ids: [p.id],
        failed_ranges: 1,
      });
      expect(out.errors.length).toBeGreaterThan(0);
      expect(progress).toContain('products');

      const problems = await stack.services.getProblematicTests(
        parseInput(getProblematicTestsInputSchema, { product_id: p.id }),
      );
      expect(problems.count).toBe(1);
      expect(must(problems.tests[0])).toMatchObject({ product_id: p.id, resolved_at: null });
      expect(must(problems.tests[0]).position_range).toMatch(/^\d+-\d+$/);
      const diagnostics = await stack.services.getServerDiagnostics(
        parseInput(getServerDiagnosticsInputSchema, { check_api: false }),
      );
      expect(diagnostics.sync.syncs_partial_24h).toBeGreaterThanOrEqual(1);
      expect(diagnostics.sync.open_problematic_ranges).toBe(1);

      // A clean full walk resolves the range.
      const again = await stack.services.syncData(
        parseInput(syncDataInputSchema, { product_ids: [p.id], since: 'ALL' }),
      );
      expect(again.status).toBe('success');
      expect(
        (await stack.services.getProblematicTests(parseInput(getProblematicTestsInputSchema, {}))).count,
      ).toBe(0);
      const history = await stack.services.getProblematicTests(
        parseInput(getProblematicTestsInputSchema, { include_resolved: true }),
      );
      expect(history.count).toBe(1);
      expect(must(history.tests[0]).resolved_at).not.toBeNull();
    });

    it('re-reads tests that ended since a date', async () => {
      const out = await stack.services.syncData(parseInput(syncDataInputSchema, { since: 'last 30 days' }));
      expect(out.mode).toBe('force');
      expect(out.status).toBe('success');
      expect(out.tests_updated).toBeGreaterThan(0);
      expect(out.tests_updated).toBeLessThan(stack.truth.totals.tests);
    });

    it('refuses a garbage since, products outside the configured scope, and a second concurrent sync', async () => {
      const garbage = await rejection(
        stack.services.syncData(parseInput(syncDataInputSchema, { since: 'whenever' })),
      );
      expect(garbage).toBeInstanceOf(InvalidInputError);
      expect((garbage as InvalidInputError).field).toBe('since');

      const [a, b] = stack.truth.products;
      const scoped = createSyncEngine({
        api: stack.api,
        stores: stack.db.stores,
        clock: stack.clock,
        logger: stack.deps.logger,
        options: { holderId: 'scoped', productIds: [must(a).id] },
      });
      const services = stack.withServices({ engine: scoped, settings: { productIds: [must(a).id] } });
      const outside = await rejection(
        services.syncData(parseInput(syncDataInputSchema, { product_ids: must(b).id })),
      );
      expect(outside).toBeInstanceOf(InvalidInputError);
      const inScope = await services.syncData(parseInput(syncDataInputSchema, {}));
      expect(inScope.product_ids).toEqual([must(a).id]);

      // Two syncs started together: one runs, the other is refused. Which one wins is the database's
      // (on PostgreSQL both lease acquisitions are round trips), so the test does not say which.
      const outcomes = await Promise.allSettled([
        stack.services.syncData(parseInput(syncDataInputSchema, {})),
        services.syncData(parseInput(syncDataInputSchema, {})),
      ]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(refused?.reason).toBeInstanceOf(ConflictError);
      expect((refused?.reason as ConflictError).message).toMatch(/A sync is already running/);
    });
  });
});
