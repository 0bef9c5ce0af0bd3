import Database from 'better-sqlite3';
import { openDatabase, type MirrorCounts } from '@testio-mcp/persistence';
import type { GroundTruth } from '@testio-mcp/testio-sandbox';
import { expect } from 'vitest';

/** What "consistent" means for a mirror, whatever happened to the process that wrote it. */
export function expectConsistent(path: string): void {
  // A writable connection: after a SIGKILL, opening replays the WAL.
  const db = new Database(path);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const tables = new Set(
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[],
    );
    if (!tables.has('bugs')) {
      // Killed before the first migration committed (a slow start): nothing may be recorded as applied.
      const applied = tables.has('_prisma_migrations')
        ? db.prepare('SELECT count(*) FROM _prisma_migrations').pluck().get()
        : 0;
      expect(applied, 'migrations recorded as applied, but the schema is missing').toBe(0);
      return;
    }
    // Orphans the foreign keys would not catch if they were ever turned off.
    expect(
      db
        .prepare(
          'SELECT count(*) FROM bugs b WHERE NOT EXISTS (SELECT 1 FROM tests t WHERE t.customer_id = b.customer_id AND t.id = b.test_id)',
        )
        .pluck()
        .get(),
    ).toBe(0);
    expect(
      db
        .prepare(
          'SELECT count(*) FROM tests t WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.customer_id = t.customer_id AND p.id = t.product_id)',
        )
        .pluck()
        .get(),
    ).toBe(0);
  } finally {
    db.close();
  }
}

/** After every process ended: no run is left `running`, and no lease is held. */
export function expectNoDanglingRun(path: string): void {
  const db = new Database(path, { readonly: true });
  try {
    const running = db.prepare("SELECT id FROM sync_runs WHERE status = 'running'").pluck().all();
    expect(running, 'sync runs left running').toEqual([]);
  } finally {
    db.close();
  }
}

export function runStatuses(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT status FROM sync_runs ORDER BY id').pluck().all() as string[];
  } finally {
    db.close();
  }
}

function nonZero(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== 0));
}

function comparable(p: GroundTruth['products'][number] | MirrorCounts['products'][number]) {
  return {
    id: p.id,
    tests: p.tests,
    bugs: p.bugs,
    features: p.features,
    userStories: p.userStories,
    testsByStatus: nonZero(p.testsByStatus),
    bugsByStatus: nonZero(p.bugsByStatus),
    bugsBySeverity: nonZero(p.bugsBySeverity),
  };
}

function withoutBugs(p: ReturnType<typeof comparable>) {
  const { bugs: _bugs, bugsByStatus: _byStatus, bugsBySeverity: _bySeverity, ...rest } = p;
  return rest;
}

/**
 * Per product: tests, bugs, catalogue sizes, and counts per test status, bug status and severity.
 * `bugs: false` leaves the bugs out: once the account changed after a test's bugs were read, a
 * background sync does not promise them (bugs of tests past the walk are refreshed when read, the pull
 * model of the sync design).
 */
export async function expectMatchesTruth(
  path: string,
  truth: GroundTruth,
  options: { bugs?: boolean } = {},
): Promise<void> {
  const bugs = options.bugs ?? true;
  const db = openDatabase({ path, customerId: 1 });
  try {
    const mirror = await db.queries.countsForTruthComparison();
    const shape = (p: GroundTruth['products'][number] | MirrorCounts['products'][number]) =>
      bugs ? comparable(p) : withoutBugs(comparable(p));
    expect(mirror.products.map(shape)).toEqual([...truth.products].sort((a, b) => a.id - b.id).map(shape));
    expect(mirror.totals.tests).toBe(truth.totals.tests);
    if (bugs) expect(mirror.totals.bugs).toBe(truth.totals.bugs);
  } finally {
    await db.close();
  }
}
