import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EXECUTED_TEST_STATUSES, InvalidInputError, UpstreamError } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failingApi, startStack, type Stack } from '../__fixtures__/stack.js';
import { generateQualityReportInputSchema, parseInput, queryMetricsInputSchema } from '../contracts/index.js';
import { createReadThrough } from '@testio-mcp/sync';

/** The analytics operations on the real stack (sandbox → sync → SQLite → readers), against the ground truth. */

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

const report = (args: Record<string, unknown>) =>
  parseInput(generateQualityReportInputSchema, args, 'generate_quality_report');
const query = (args: Record<string, unknown>) => parseInput(queryMetricsInputSchema, args, 'query_metrics');
const EXECUTED = new Set<string>(EXECUTED_TEST_STATUSES);

describe('quality report', () => {
  it('counts executed tests by default and every test with statuses=all, per product as in the ground truth', async () => {
    const executed = await stack.services.generateQualityReport(report({}));
    const truthTests = (stack.truth.tests ?? []).filter((t) => EXECUTED.has(t.status));
    expect(executed.summary.total_tests).toBe(truthTests.length);
    expect(executed.summary.total_bugs).toBe(truthTests.reduce((n, t) => n + t.bugs, 0));
    expect(executed.summary.bugs_by_status.open).toBe(
      truthTests.reduce((n, t) => n + (t.bugsByStatus['forwarded'] ?? 0), 0),
    );
    const all = await stack.services.getQualityReportWithTests(report({ statuses: 'all', max_tests: 0 }));
    expect(all.test_data).toHaveLength(stack.truth.totals.tests);
    expect(all.by_test).toHaveLength(0);
    for (const p of stack.truth.products) {
      expect(all.by_product.find((x) => x.product_id === p.id)).toMatchObject({
        total_tests: p.tests,
        total_bugs: p.bugs,
      });
    }
  });

  it('applies the configured thresholds', async () => {
    const strict = stack.withServices({
      settings: {
        playbookThresholds: {
          rejection_rate: { warning: 0.01, critical: 0.02, direction: 'above' },
          auto_acceptance_rate: { warning: 0.98, critical: 0.99, direction: 'above' },
          review_rate: { warning: 0.02, critical: 0.01, direction: 'below' },
        },
      },
    });
    const r = await strict.generateQualityReport(report({}));
    expect(r.summary.health_indicators).toEqual({
      rejection_rate: 'critical',
      auto_acceptance_rate: 'healthy',
      review_rate: 'healthy',
    });
    expect(r.thresholds.rejection_rate.critical).toBe(0.02);
    expect(r.markdown).toContain('≥ 2.0%');
    expect(await strict.getThresholds()).toEqual(r.thresholds);
  });

  it('serves the mirror with a warning when TestIO cannot refresh the bugs of changing tests', async () => {
    const api = failingApi(
      stack.api,
      new UpstreamError({
        message: 'TestIO is unavailable',
        operation: { method: 'GET', path: 'bugs' },
        status: 503,
      }),
    );
    const readThrough = createReadThrough({
      api,
      stores: stack.db.stores,
      clock: { now: () => new Date(stack.clock.now().getTime() + 7200_000) },
      logger: stack.deps.logger,
    });
    const offline = stack.withServices({ readThrough });
    const r = await offline.generateQualityReport(report({ statuses: 'running,locked' }));
    expect(r.stale).toBe(true);
    expect(r.warnings?.join(' ')).toMatch(/Could not refresh bugs of test/);
    const q = await offline.queryMetrics(
      query({ dimensions: 'product', metrics: 'bug_count', filters: { test_statuses: 'running,locked' } }),
    );
    expect(q.stale).toBe(true);
    expect(q.data.reduce((n, row) => n + Number(row['bug_count']), 0)).toBe(r.summary.total_bugs);
  });

  it('exports under the export directory only', async () => {
    const r = await stack.services.generateQualityReport(report({ output_file: 'one/report', max_tests: 1 }));
    expect(r.export?.files.map((f) => path.relative(stack.exportDir, f.path))).toEqual([
      path.join('one', 'report.md'),
      path.join('one', 'report.json'),
      path.join('one', 'report.tests.csv'),
    ]);
    expect(readFileSync(path.join(stack.exportDir, 'one', 'report.md'), 'utf8')).toContain(
      '# Quality report',
    );
    await expect(
      stack.services.generateQualityReport(report({ output_file: '../out' })),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(existsSync(path.join(stack.exportDir, '..', 'out.md'))).toBe(false);
    const noWriter = stack.withServices({ reportFiles: undefined });
    await expect(noWriter.generateQualityReport(report({ output_file: 'x' }))).rejects.toThrow(
      /cannot export reports/,
    );
  });
});

describe('query_metrics', () => {
  it('restricts the aggregation to the most recent tests with tests_limit', async () => {
    const q = await stack.services.queryMetrics(
      query({ dimensions: 'product', metrics: 'test_count', tests_limit: 7 }),
    );
    expect(q.data.reduce((n, row) => n + Number(row['test_count']), 0)).toBe(7);
    expect(q.filters_applied.test_ids).toHaveLength(7);
  });

  it('says plainly when the analytics reader is not wired', async () => {
    const bare = stack.withServices({ analytics: undefined });
    await expect(bare.queryMetrics(query({ dimensions: 'product', metrics: 'bug_count' }))).rejects.toThrow(
      /Analytics are not available/,
    );
  });
});
