// Manual benchmark (not a test): `node --import tsx src/__fixtures__/bench-analytics.ts <mirror.db>`, e.g.
// on `bench-results/cache/mirror-medium-seed7.db` (opened read-only; run the migrations on a copy first if
// it predates the aggregates). Times each metric query over the whole account (executed tests) on the
// aggregate paths of ADR 0021 and on the bug-level SQL, alternately, in one process: the A/B of
// docs/performance.md. The aggregate figure is the better of two runs; the bug-level one a single run. Each
// line names the aggregate path and the 1-minute load average (the machine is shared).
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { EXECUTED_TEST_STATUSES, type MetricDimension, type MetricKey } from '@testio-mcp/domain';
import { aggregatePath, createAnalyticsReader } from '../readers/index.js';

const path = process.argv[2];
if (!path) throw new Error('usage: bench-analytics.ts <mirror.db>');
const db = new Database(path, { readonly: true });
const customerId = db.prepare('SELECT customer_id FROM tests LIMIT 1').pluck().get() as number;
const aggregates = createAnalyticsReader(db, customerId);
const bugLevel = createAnalyticsReader(db, customerId, { aggregates: false });
const DIMENSIONS: MetricDimension[][] = [
  ['product'],
  ['month'],
  ['customer'],
  ['test_environment'],
  ['severity'],
  ['status'],
  ['known_bug'],
  ['rejection_reason'],
  ['tester'],
  ['product', 'severity'],
  ['month', 'status'],
  ['feature'],
  ['platform'],
  ['product', 'feature'],
  ['month', 'platform'],
];
const METRICS: MetricKey[][] = [
  ['bug_count', 'test_count'],
  ['overall_acceptance_rate', 'rejection_rate'],
  ['active_testers', 'bug_severity_score'],
];
for (const dimensions of DIMENSIONS)
  for (const metrics of METRICS) {
    const query = {
      dimensions,
      metrics,
      scope: { testStatuses: [...EXECUTED_TEST_STATUSES] },
      sortOrder: 'desc' as const,
      limit: 100,
    };
    const time = async (reader: typeof aggregates) => {
      const started = performance.now();
      await reader.runMetricQuery(query);
      return performance.now() - started;
    };
    const fast = Math.min(await time(aggregates), await time(aggregates));
    const slow = await time(bugLevel);
    const path = aggregatePath({ ...query, hasBugFilter: false, hasPlatformFilter: false }) ?? 'bug level';
    process.stdout.write(
      `${dimensions.join('+').padEnd(18)} ${metrics.join(',').padEnd(40)} ${path.padEnd(9)} aggregates ${fast.toFixed(0).padStart(6)} ms   bug level ${slow.toFixed(0).padStart(6)} ms   load ${loadavg()[0]?.toFixed(1)}\n`,
    );
  }
// The quality report's reads over the whole account: per-test rows, then rejection reasons and platforms.
const scope = { testStatuses: [...EXECUTED_TEST_STATUSES] };
const report = async (reader: typeof aggregates) => {
  const started = performance.now();
  await reader.reportTests(scope);
  await reader.reportBreakdowns(scope);
  return performance.now() - started;
};
const fastReport = Math.min(await report(aggregates), await report(aggregates));
const slowReport = await report(bugLevel);
process.stdout.write(
  `${'quality report'.padEnd(18)} ${'tests + breakdowns'.padEnd(40)} ${'totals'.padEnd(9)} aggregates ${fastReport.toFixed(0).padStart(6)} ms   bug level ${slowReport.toFixed(0).padStart(6)} ms   load ${loadavg()[0]?.toFixed(1)}\n`,
);
db.close();
