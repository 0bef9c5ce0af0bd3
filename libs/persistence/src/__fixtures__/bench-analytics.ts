// Manual benchmark (not a test): `node --import tsx src/__fixtures__/bench-analytics.ts <mirror.db>`, e.g.
// on `bench-results/cache/mirror-medium-seed7.db` (opened read-only; run the migrations on a copy first if
// it predates the aggregates). Times each metric query over the whole account (executed tests) on the
// aggregate paths of ADR 0021 and on the bug-level SQL, alternately, in one process: the A/B of
// docs/performance.md. The aggregate figure is the better of two runs; the bug-level one a single run. Each
// line names the aggregate path and the 1-minute load average (the machine is shared). AGGREGATES_ONLY=1
// skips the bug-level side (minutes per query at `large`); ONLY=<dims>[;<dims>] (e.g. `tester;product+severity`)
// runs only those dimension sets; SKIP_BUG_LEVEL=1 skips the queries no aggregate path serves.
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
// Wall time on a shared machine measures the neighbours too; CPU time (user + system of this process, which
// runs the synchronous SQLite call) is the query's own cost. The better of two runs is the lower CPU time.
interface Timing {
  wall: number;
  cpu: number;
}
const ms = (t: Timing) => `${t.wall.toFixed(0).padStart(6)} ms (cpu ${t.cpu.toFixed(0).padStart(5)})`;
const better = (a: Timing, b: Timing) => (a.cpu <= b.cpu ? a : b);
const only = process.env['ONLY']?.split(';');
const aggregatesOnly = process.env['AGGREGATES_ONLY'] === '1';
const skipBugLevel = process.env['SKIP_BUG_LEVEL'] === '1';
const METRICS: MetricKey[][] = [
  ['bug_count', 'test_count'],
  ['overall_acceptance_rate', 'rejection_rate'],
  ['active_testers', 'bug_severity_score'],
];
for (const dimensions of DIMENSIONS.filter((d) => !only || only.includes(d.join('+'))))
  for (const metrics of METRICS) {
    const query = {
      dimensions,
      metrics,
      scope: { testStatuses: [...EXECUTED_TEST_STATUSES] },
      sortOrder: 'desc' as const,
      limit: 100,
    };
    const path = aggregatePath({ ...query, hasBugFilter: false, hasPlatformFilter: false }) ?? 'bug level';
    if (skipBugLevel && path === 'bug level') continue;
    const time = async (reader: typeof aggregates) => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      await reader.runMetricQuery(query);
      const used = process.cpuUsage(cpu);
      return { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 };
    };
    const fast = better(await time(aggregates), await time(aggregates));
    const slow = aggregatesOnly ? { wall: Number.NaN, cpu: Number.NaN } : await time(bugLevel);
    process.stdout.write(
      `${dimensions.join('+').padEnd(18)} ${metrics.join(',').padEnd(40)} ${path.padEnd(9)} aggregates ${ms(fast)}   bug level ${ms(slow)}   load ${loadavg()[0]?.toFixed(1)}\n`,
    );
  }
// The quality report's reads over the whole account: per-test rows, then rejection reasons and platforms.
const scope = { testStatuses: [...EXECUTED_TEST_STATUSES] };
const report = async (reader: typeof aggregates) => {
  const started = performance.now();
  const cpu = process.cpuUsage();
  await reader.reportTests(scope);
  await reader.reportBreakdowns(scope);
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - started, cpu: (used.user + used.system) / 1000 };
};
const fastReport = better(await report(aggregates), await report(aggregates));
const slowReport = aggregatesOnly ? { wall: Number.NaN, cpu: Number.NaN } : await report(bugLevel);
process.stdout.write(
  `${'quality report'.padEnd(18)} ${'tests + breakdowns'.padEnd(40)} ${'totals'.padEnd(9)} aggregates ${ms(fastReport)}   bug level ${ms(slowReport)}   load ${loadavg()[0]?.toFixed(1)}\n`,
);
db.close();
