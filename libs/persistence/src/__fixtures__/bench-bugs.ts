// Manual benchmark (not a test): `node --import tsx src/__fixtures__/bench-bugs.ts [bugs] [tests]`.
// Times replaceBugsOfTests for a batch of bugs: first insert, identical re-sync, and a re-sync where
// every bug changed (title, status and severity). Prints one line per phase. `BENCH_WITHOUT_AGGREGATES=1`
// drops every analytics aggregate trigger on bugs first (ADR 0021), `=by-key` only those of the tables by
// attributes, author, feature and platform (migration 20261209000300), to measure what they cost a write.
import { performance } from 'node:perf_hooks';
import { createTestDatabase } from '../testing.js';
import { bug, product, test } from './entities.js';

const SEVERITIES = ['low', 'high', 'critical', 'visual', 'content'] as const;
const STATUSES = ['accepted', 'rejected', 'forwarded'] as const;
const bugCount = Number(process.argv[2] ?? 10_000);
const testCount = Number(process.argv[3] ?? 15);
const db = createTestDatabase();
const BY_KEY = ['attr_counts', 'author_totals', 'feature_totals', 'platform_totals'].map(
  (table) => `bugs_test_${table}`,
);
const without = process.env['BENCH_WITHOUT_AGGREGATES'];
if (without === '1' || without === 'by-key')
  for (const prefix of without === '1' ? ['bugs_test_counts', ...BY_KEY] : BY_KEY)
    for (const event of ['ai', 'ad', 'au']) db.sqlite.exec(`DROP TRIGGER ${prefix}_${event}`);
try {
  const { stores } = db;
  const at = new Date('2025-02-01T00:00:00Z');
  await stores.products.upsertProducts([product(1)], at);
  const testIds = Array.from({ length: testCount }, (_, i) => 1000 + i);
  await stores.tests.upsertTests(
    testIds.map((id) => test(id, 1)),
    at,
  );
  const make = (suffix: string) =>
    Array.from({ length: bugCount }, (_, i) => {
      const testId = testIds[i % testIds.length] ?? 1000;
      return bug(100_000 + i, testId, {
        title: `Bug ${i} in the checkout flow ${suffix}`,
        steps: ['Open the product page', 'Add to cart', `Press pay ${i}`],
        actual_result: `Spinner forever ${suffix}`,
        author: { name: `tester${i % 300}` },
        severity: SEVERITIES[(i + (suffix === 'a' ? 0 : 2)) % SEVERITIES.length] ?? 'low',
        status: STATUSES[(i + (suffix === 'a' ? 0 : 1)) % STATUSES.length] ?? 'accepted',
      });
    });
  const first = make('a');
  const changed = make('b');
  const time = async (label: string, items: typeof first) => {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await stores.bugs.replaceBugsOfTests(testIds, items, at);
    const ms = performance.now() - started;
    // CPU time beside the wall time: on a shared machine the wall time mostly measures the neighbours.
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    process.stdout.write(
      `${label}: ${bugCount} bugs in ${ms.toFixed(0)} ms, CPU ${cpuMs.toFixed(0)} ms (${((bugCount / ms) * 1000).toFixed(0)} bugs/s) ${JSON.stringify(result)}\n`,
    );
  };
  await time('insert   ', first);
  await time('unchanged', first);
  await time('changed  ', changed);
} finally {
  await db.cleanup();
}
