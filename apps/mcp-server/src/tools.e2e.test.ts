import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { connectInMemory, expectThreePartError, structuredOf } from './__fixtures__/harness.js';
import { startMcpStack, type McpStack } from './__fixtures__/stack.js';
import { generateQualityReportOutputSchema } from './tools/generate-quality-report.js';
import { getAnalyticsCapabilitiesOutputSchema } from './tools/get-analytics-capabilities.js';
import { getBugSummaryOutputSchema } from './tools/get-bug-summary.js';
import { getFeatureSummaryOutputSchema } from './tools/get-feature-summary.js';
import { getProblematicTestsOutputSchema } from './tools/get-problematic-tests.js';
import { getProductSummaryOutputSchema } from './tools/get-product-summary.js';
import { getServerDiagnosticsOutputSchema } from './tools/get-server-diagnostics.js';
import { getTestSummaryOutputSchema } from './tools/get-test-summary.js';
import { getUserSummaryOutputSchema } from './tools/get-user-summary.js';
import { TOOLS } from './tools/index.js';
import { listBugsOutputSchema } from './tools/list-bugs.js';
import { listFeaturesOutputSchema } from './tools/list-features.js';
import { listProductsOutputSchema } from './tools/list-products.js';
import { listTestsOutputSchema } from './tools/list-tests.js';
import { listUsersOutputSchema } from './tools/list-users.js';
import { queryMetricsOutputSchema } from './tools/query-metrics.js';
import { searchOutputSchema } from './tools/search.js';
import { syncDataOutputSchema } from './tools/sync-data.js';

/**
 * Every tool over a real SDK client, against the production composition on sandbox data after one
 * force sync; numbers are cross-checked with the sandbox's ground truth.
 */

let stack: McpStack;
let client: Client;
let closeSession: () => Promise<void>;
const called = new Set<string>();

beforeAll(async () => {
  stack = await startMcpStack();
  const session = await connectInMemory({ services: stack.container.services, logger: stack.log.logger });
  client = session.client;
  closeSession = session.close;
}, 120_000);

afterAll(async () => {
  await closeSession();
  await stack.close();
});

async function call<S extends z.ZodType>(
  name: string,
  args: Record<string, unknown>,
  schema: S,
): Promise<z.output<S>> {
  called.add(name);
  const result = await client.callTool({ name, arguments: args });
  return schema.parse(structuredOf(result));
}

async function callError(name: string, args: Record<string, unknown>, pattern?: RegExp): Promise<string> {
  return expectThreePartError(await client.callTool({ name, arguments: args }), pattern);
}

const product = () => {
  const first = [...stack.truth.products].sort((a, b) => b.tests - a.tests).find((p) => p.tests <= 100);
  if (!first) throw new Error('no product with at most 100 tests');
  return first;
};
const testsOf = (productId: number) => (stack.truth.tests ?? []).filter((t) => t.productId === productId);

describe('discovery', () => {
  it('list_products: every product with its exact test count', async () => {
    const data = await call('list_products', { per_page: 100 }, listProductsOutputSchema);
    expect(data.total_count).toBe(stack.truth.totals.products);
    expect(data.pagination.has_more).toBe(false);
    for (const truth of stack.truth.products) {
      const row = data.products.find((p) => p.id === truth.id);
      expect(row, truth.name).toMatchObject({
        name: truth.name,
        test_count: truth.tests,
        feature_count: truth.features,
      });
    }
  });

  it('list_tests: exact totals, status filters and pages', async () => {
    const p = product();
    const all = await call('list_tests', { product_id: p.id, per_page: 200 }, listTestsOutputSchema);
    expect(all.pagination.total_count).toBe(p.tests);
    expect(all.tests).toHaveLength(p.tests);
    const archived = await call(
      'list_tests',
      { product_id: String(p.id), statuses: 'archived', per_page: 1 },
      listTestsOutputSchema,
    );
    expect(archived.pagination.total_count).toBe(p.testsByStatus.archived);
    const perPage = 10;
    const lastPage = Math.ceil(p.tests / perPage);
    const middle = await call(
      'list_tests',
      { product_id: p.id, page: lastPage - 1, per_page: perPage },
      listTestsOutputSchema,
    );
    expect(middle.pagination).toMatchObject({ has_more: true, total_count: p.tests });
    const last = await call(
      'list_tests',
      { product_id: p.id, page: lastPage, per_page: perPage },
      listTestsOutputSchema,
    );
    expect(last.pagination.has_more).toBe(false);
    expect(last.tests).toHaveLength(p.tests - (lastPage - 1) * perPage);
    // Past the end: an empty page (not an error) naming the last page, as the reference answered.
    const beyond = await call(
      'list_tests',
      { product_id: p.id, page: lastPage + 5, per_page: perPage },
      listTestsOutputSchema,
    );
    expect(beyond.tests).toEqual([]);
    expect(beyond.pagination).toMatchObject({ end_index: -1, has_more: false, total_count: p.tests });
    expect(beyond.pagination.hint).toContain(`the last page with per_page=${perPage} is ${lastPage}`);
    for (const test of all.tests) {
      expect(test.bug_count, `test ${test.test_id}`).toBe(
        testsOf(p.id).find((t) => t.id === test.test_id)?.bugs,
      );
    }
  });

  it('list_features: every feature of the product', async () => {
    const p = product();
    const data = await call(
      'list_features',
      { product_id: p.id, sort_by: 'bug_count', sort_order: 'desc' },
      listFeaturesOutputSchema,
    );
    expect(data.pagination.total_count).toBe(p.features);
  });

  it('list_users: testers and customers, paginated', async () => {
    const data = await call('list_users', { days: 36_500, per_page: 5 }, listUsersOutputSchema);
    expect(data.pagination.total_count).toBeGreaterThan(5);
    expect(data.users).toHaveLength(5);
    expect(data.pagination.has_more).toBe(true);
  });

  it('list_bugs: counts by severity and by status match the ground truth of the product', async () => {
    const p = product();
    const testIds = testsOf(p.id).map((t) => t.id);
    const total = await call('list_bugs', { test_ids: testIds, per_page: 1 }, listBugsOutputSchema);
    expect(total.pagination.total_count).toBe(p.bugs);
    for (const [severity, count] of Object.entries(p.bugsBySeverity)) {
      const data = await call(
        'list_bugs',
        { test_ids: testIds.join(','), severity, per_page: 1 },
        listBugsOutputSchema,
      );
      expect(data.pagination.total_count, severity).toBe(count);
    }
    for (const [status, count] of Object.entries(p.bugsByStatus)) {
      const data = await call(
        'list_bugs',
        { test_ids: JSON.stringify(testIds), status: [status], per_page: 1 },
        listBugsOutputSchema,
      );
      expect(data.pagination.total_count, status).toBe(count);
    }
  });
});

describe('summaries', () => {
  it("get_test_summary: a test's bug counts by status match the ground truth", async () => {
    const busiest = [...(stack.truth.tests ?? [])].sort((a, b) => b.bugs - a.bugs)[0];
    if (!busiest) throw new Error('no tests in the truth');
    const data = await call('get_test_summary', { test_id: busiest.id }, getTestSummaryOutputSchema);
    expect(data.test.id).toBe(busiest.id);
    expect(data.bugs.total_count).toBe(busiest.bugs);
    const byStatus = busiest.bugsByStatus;
    expect(data.bugs.by_status).toMatchObject({
      active_accepted: byStatus.accepted ?? 0,
      auto_accepted: byStatus.auto_accepted ?? 0,
      rejected: byStatus.rejected ?? 0,
      open: byStatus.forwarded ?? 0,
      total_accepted: (byStatus.accepted ?? 0) + (byStatus.auto_accepted ?? 0),
    });
    const severities = Object.values(data.bugs.by_severity).reduce((a, b) => a + b, 0);
    expect(severities).toBe(busiest.bugs);
    // The same numbers through list_bugs, one severity at a time.
    for (const [severity, count] of Object.entries(data.bugs.by_severity)) {
      const bugs = await call(
        'list_bugs',
        { test_ids: busiest.id, severity, per_page: 1 },
        listBugsOutputSchema,
      );
      expect(bugs.pagination.total_count, severity).toBe(count);
    }
  });

  it("get_product_summary: the product's test and feature counts", async () => {
    const p = product();
    const data = await call('get_product_summary', { product_id: p.id }, getProductSummaryOutputSchema);
    expect(data).toMatchObject({
      id: p.id,
      title: p.name,
      test_count: p.tests,
      feature_count: p.features,
      user_story_count: p.userStories,
    });
    for (const [status, count] of Object.entries(p.testsByStatus))
      expect(data.tests_by_status[status] ?? 0, status).toBe(count);
  });

  it('get_feature_summary, get_user_summary and get_bug_summary on ids the lists gave', async () => {
    const p = product();
    const features = await call('list_features', { product_id: p.id, per_page: 1 }, listFeaturesOutputSchema);
    const feature = features.features[0];
    if (!feature) throw new Error('no feature');
    const fs = await call('get_feature_summary', { feature_id: feature.id }, getFeatureSummaryOutputSchema);
    expect(fs).toMatchObject({ id: feature.id, title: feature.title, product: { id: p.id } });

    const users = await call(
      'list_users',
      { user_type: 'tester', days: 36_500, per_page: 1 },
      listUsersOutputSchema,
    );
    const user = users.users[0];
    if (!user) throw new Error('no tester');
    const us = await call('get_user_summary', { user_id: String(user.id) }, getUserSummaryOutputSchema);
    expect(us).toMatchObject({ id: user.id, username: user.username });
    expect(us.bugs_reported_count).toBeGreaterThan(0);

    const testId = testsOf(p.id).find((t) => t.bugs > 0)?.id;
    const bugs = await call('list_bugs', { test_ids: [testId], per_page: 1 }, listBugsOutputSchema);
    const bug = bugs.bugs[0];
    if (!bug) throw new Error('no bug');
    const bs = await call('get_bug_summary', { bug_id: bug.id }, getBugSummaryOutputSchema);
    expect(bs).toMatchObject({ id: bug.id, title: bug.title, test: { id: testId }, product: { id: p.id } });
  });
});

describe('search, sync and diagnostics', () => {
  it('search finds a bug by a word of its title, and fences the text block', async () => {
    const p = product();
    const testId = testsOf(p.id).find((t) => t.bugs > 0)?.id;
    const bugs = await call('list_bugs', { test_ids: [testId], per_page: 1 }, listBugsOutputSchema);
    const bug = bugs.bugs[0];
    if (!bug) throw new Error('no bug');
    const word = bug.title.split(/[^A-Za-z]+/).find((w) => w.length >= 4) ?? bug.title;
    const data = await call(
      'search',
      { query: word, entities: 'bug', product_ids: [p.id], limit: 100 },
      searchOutputSchema,
    );
    expect(data.total).toBeGreaterThan(0);
    expect(data.results.every((r) => r.entity_type === 'bug' && r.product_id === p.id)).toBe(true);
    const dated = await call(
      'search',
      { query: word, start_date: 'last 30 days', end_date: 'today' },
      searchOutputSchema,
    );
    expect(dated.results.every((r) => r.entity_type === 'test' || r.entity_type === 'bug')).toBe(true);
  });

  it('get_server_diagnostics: the mirror holds what the sandbox has', async () => {
    const data = await call(
      'get_server_diagnostics',
      { include_sync_events: true },
      getServerDiagnosticsOutputSchema,
    );
    expect(data.database).toMatchObject({
      product_count: stack.truth.totals.products,
      bug_count: stack.truth.totals.bugs,
    });
    expect(data.api.connected).toBe(true);
    expect(data.events?.length).toBeGreaterThan(0);
  });

  it('get_problematic_tests: none after a clean sync', async () => {
    const data = await call('get_problematic_tests', {}, getProblematicTestsOutputSchema);
    expect(data.count).toBe(0);
  });

  it('sync_data runs one sync and reports progress when asked', async () => {
    called.add('sync_data');
    const updates: Array<{ progress: number; message?: string }> = [];
    const result = await client.callTool({ name: 'sync_data', arguments: {} }, CallToolResultSchema, {
      onprogress: (p) => updates.push(p),
      timeout: 60_000,
    });
    const data = syncDataOutputSchema.parse(structuredOf(result));
    expect(data.status).toBe('success');
    expect(data.mode).toBe('incremental');
    expect(updates.length).toBeGreaterThan(0);
    const values = updates.map((u) => u.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
  }, 60_000);

  it('sync_data answers "already running" while another process holds the sync lease', async () => {
    const syncState = stack.container.database.stores.syncState;
    const lease = await syncState.acquireLease('sync-worker:1@elsewhere', 60_000, new Date(stack.truth.now));
    expect(lease.acquired).toBe(true);
    try {
      await callError('sync_data', {}, /already running/);
    } finally {
      await syncState.releaseLease('sync-worker:1@elsewhere');
    }
  });
});

describe('analytics (analytics.e2e.test.ts has the details)', () => {
  it('query_metrics, get_analytics_capabilities and the quality report (under both names) count what the sandbox holds', async () => {
    const p = product();
    const metrics = await call(
      'query_metrics',
      {
        dimensions: 'product',
        metrics: 'test_count,bug_count',
        filters: { product_ids: p.id, test_statuses: 'all' },
      },
      queryMetricsOutputSchema,
    );
    expect(metrics.data).toEqual([
      expect.objectContaining({ product_id: p.id, test_count: p.tests, bug_count: p.bugs }),
    ]);
    const caps = await call('get_analytics_capabilities', {}, getAnalyticsCapabilitiesOutputSchema);
    expect(caps.metrics).toHaveLength(13);
    const report = await call(
      'generate_quality_report',
      { product_ids: p.id, statuses: 'all', max_tests: 3 },
      generateQualityReportOutputSchema,
    );
    expect(report.summary).toMatchObject({ total_tests: p.tests, total_bugs: p.bugs });
    const alias = await call(
      'get_product_quality_report',
      { product_ids: [p.id], statuses: 'all', max_tests: 3 },
      generateQualityReportOutputSchema,
    );
    expect(alias.summary).toEqual(report.summary);
  });
});

describe('answer size', () => {
  it('the largest pages of the real data stay well under the size guard', async () => {
    const p = product();
    const testIds = testsOf(p.id).map((t) => t.id);
    const calls: Array<[string, Record<string, unknown>]> = [
      ['list_bugs', { test_ids: testIds, per_page: 200 }],
      ['list_tests', { product_id: p.id, per_page: 200 }],
      ['list_users', { days: 36_500, per_page: 200 }],
      ['list_features', { product_id: p.id, per_page: 200 }],
      ['search', { query: 'test', limit: 100 }],
    ];
    for (const [name, args] of calls) {
      const result = await client.callTool({ name, arguments: args });
      const size = JSON.stringify(structuredOf(result)).length;
      expect(size, name).toBeLessThan(80_000);
    }
  });
});

describe('errors', () => {
  it('unknown ids name the tool that lists valid ones', async () => {
    await callError('list_tests', { product_id: 999_999 }, /list_products/);
    await callError('get_product_summary', { product_id: 999_999 }, /list_products/);
    await callError('get_test_summary', { test_id: 999_999_999 }, /list_tests/);
    await callError('get_feature_summary', { feature_id: 999_999 }, /list_features/);
    await callError('get_user_summary', { user_id: 999_999 }, /list_users/);
    await callError('get_bug_summary', { bug_id: 999_999_999 }, /list_bugs/);
  });

  it('invalid ids, wrong types, page 0 and garbage or ambiguous dates are three-part errors, and the server keeps serving', async () => {
    await callError('get_test_summary', { test_id: 'abc' }, /test_id/);
    await callError('get_test_summary', { test_id: -4 }, /test_id/);
    await callError('get_bug_summary', { bug_id: 1.5 }, /bug_id/);
    await callError('list_bugs', { test_ids: 'one, two' }, /test_ids/);
    await callError('list_tests', { product_id: product().id, page: 0 }, /page/);
    await callError('list_tests', { product_id: product().id, per_page: 1000 }, /per_page/);
    await callError('list_products', { per_page: 101 }, /per_page/);
    await callError('search', { query: 'login', start_date: '01/02/2025' }, /Ambiguous date/);
    await callError('list_tests', { product_id: product().id, status: 'running' }, /Did you mean 'statuses'/);
    await callError('list_users', { days: 'forever' }, /days/);
    await callError('search', { query: 'login', start_date: 'not a date at all' }, /date/i);
    await callError('search', { query: 'login', start_date: '2025' }, /2025/);
    await callError('sync_data', { since: 'the day after never' }, /since|date/i);
    await callError('search', { query: '' }, /query/);
    const still = await call('list_products', {}, listProductsOutputSchema);
    expect(still.total_count).toBe(stack.truth.totals.products);
  });

  // The opt-in triage tools write to TestIO; triage.e2e.test.ts calls them.
  it('called every tool of the registry in this file', () => {
    expect([...called].sort()).toEqual(
      TOOLS.filter((t) => t.toolset !== 'triage')
        .map((t) => t.name)
        .sort(),
    );
  });
});
