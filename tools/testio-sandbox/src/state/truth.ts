import { BUG_SEVERITIES, BUG_STATUSES, UPSTREAM_TEST_STATUSES } from '@testio-mcp/domain';
import type { GroundTruth, TruthCounts } from '../types.js';
import type { Account } from './account.js';

function emptyCounts(): TruthCounts {
  return {
    tests: 0,
    bugs: 0,
    testsByStatus: Object.fromEntries(UPSTREAM_TEST_STATUSES.map((s) => [s, 0])),
    bugsByStatus: Object.fromEntries(BUG_STATUSES.map((s) => [s, 0])),
    bugsBySeverity: Object.fromEntries(BUG_SEVERITIES.map((s) => [s, 0])),
  };
}

function bump(record: Record<string, number>, key: string, by = 1): void {
  record[key] = (record[key] ?? 0) + by;
}

function addInto(target: TruthCounts, source: TruthCounts): void {
  target.tests += source.tests;
  target.bugs += source.bugs;
  for (const [key, value] of Object.entries(source.testsByStatus)) bump(target.testsByStatus, key, value);
  for (const [key, value] of Object.entries(source.bugsByStatus)) bump(target.bugsByStatus, key, value);
  for (const [key, value] of Object.entries(source.bugsBySeverity)) bump(target.bugsBySeverity, key, value);
}

/**
 * What exists right now, counted from the same functions the endpoints render from. Streams over bug
 * cores test by test; no bug payload is built.
 */
export function computeTruth(account: Account, perTest: boolean): GroundTruth {
  const { table, catalog } = account;
  const perProduct = catalog.products.map(() => emptyCounts());
  const testRows: NonNullable<GroundTruth['tests']> = [];

  for (let index = 0; index < table.count; index++) {
    if (!account.testExists(index)) continue;
    const counts = perProduct[table.productIndex[index] ?? 0];
    if (!counts) continue;
    const status = account.testStatusAt(index, account.now) ?? 'initialized';
    counts.tests++;
    bump(counts.testsByStatus, status);
    const row = perTest
      ? { bugs: 0, bugsByStatus: Object.fromEntries(BUG_STATUSES.map((s) => [s, 0])) }
      : null;
    account.forEachVisibleBug(index, (_k, bugId, core) => {
      const key = account.bugStatusKey(bugId, core, account.now);
      counts.bugs++;
      bump(counts.bugsByStatus, key);
      bump(counts.bugsBySeverity, core.severity);
      if (row) {
        row.bugs++;
        bump(row.bugsByStatus, key);
      }
    });
    if (row) {
      const product = catalog.products[table.productIndex[index] ?? 0];
      testRows.push({ id: table.ids[index] ?? 0, productId: product?.id ?? 0, status, ...row });
    }
  }

  const totals = { ...emptyCounts(), products: catalog.products.length, features: 0, userStories: 0 };
  const products = catalog.products.map((product, i) => {
    const counts = perProduct[i] ?? emptyCounts();
    addInto(totals, counts);
    const userStories = product.features.reduce((sum, f) => sum + f.stories.length, 0);
    totals.features += product.features.length;
    totals.userStories += userStories;
    return {
      id: product.id,
      name: product.json.name,
      hasSections: product.hasSections,
      sectionIds: product.json.sections.map((s) => s.id),
      features: product.features.length,
      userStories,
      ...counts,
    };
  });

  return {
    seed: account.seed,
    scale: account.scale,
    now: new Date(account.now).toISOString(),
    totals,
    products,
    ...(perTest ? { tests: testRows } : {}),
  };
}
