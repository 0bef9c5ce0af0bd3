import Database from 'better-sqlite3';
import { openDatabase, openPostgresDatabase, type MirrorCounts } from '@testio-mcp/persistence';
import type { GroundTruth } from '@testio-mcp/testio-sandbox';
import { expect } from 'vitest';
import { hasTable, pluckMirror, type MirrorLocation } from './engines.js';

/**
 * What "consistent" means for a mirror, whatever happened to the process that wrote it. On SQLite the file
 * itself must survive (integrity and foreign-key checks after the WAL is replayed); on PostgreSQL the
 * server owns durability (a killed client's transaction is rolled back by the server, there is no file of
 * ours to tear), so what is checked is what our writes could still get wrong: half-applied migrations and
 * orphans.
 */
export async function expectConsistent(location: MirrorLocation): Promise<void> {
  if (location.engine === 'sqlite') expectSqliteFileIntact(location.dbPath);
  if (!(await hasTable(location, 'bugs'))) {
    // Killed before the first migration committed (a slow start): nothing may be recorded as applied.
    const applied = (await hasTable(location, '_prisma_migrations'))
      ? Number((await pluckMirror(location, 'SELECT count(*) FROM _prisma_migrations'))[0])
      : 0;
    expect(applied, 'migrations recorded as applied, but the schema is missing').toBe(0);
    return;
  }
  // Orphans the foreign keys would not catch if they were ever turned off.
  const orphanBugs = await pluckMirror(
    location,
    'SELECT count(*) FROM bugs b WHERE NOT EXISTS (SELECT 1 FROM tests t WHERE t.customer_id = b.customer_id AND t.id = b.test_id)',
  );
  expect(Number(orphanBugs[0]), 'bugs without their test').toBe(0);
  const orphanTests = await pluckMirror(
    location,
    'SELECT count(*) FROM tests t WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.customer_id = t.customer_id AND p.id = t.product_id)',
  );
  expect(Number(orphanTests[0]), 'tests without their product').toBe(0);
}

function expectSqliteFileIntact(path: string): void {
  // A writable connection: after a SIGKILL, opening replays the WAL.
  const db = new Database(path);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  } finally {
    db.close();
  }
}

/** After every process ended: no run is left `running`. */
export async function expectNoDanglingRun(location: MirrorLocation): Promise<void> {
  const running = await pluckMirror(location, "SELECT id FROM sync_runs WHERE status = 'running'");
  expect(running, 'sync runs left running').toEqual([]);
}

export async function runStatuses(location: MirrorLocation): Promise<string[]> {
  if (!(await hasTable(location, 'sync_runs'))) return [];
  return (await pluckMirror(location, 'SELECT status FROM sync_runs ORDER BY id')) as string[];
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

async function mirrorCounts(location: MirrorLocation): Promise<MirrorCounts> {
  const db =
    location.engine === 'sqlite'
      ? openDatabase({ path: location.dbPath, customerId: 1 })
      : await openPostgresDatabase({ url: location.databaseUrl ?? '', customerId: 1, pool: { max: 1 } });
  try {
    return await db.queries.countsForTruthComparison();
  } finally {
    await db.close();
  }
}

/**
 * Per product: tests, bugs, catalogue sizes, and counts per test status, bug status and severity.
 * `bugs: false` leaves the bugs out: once the account changed after a test's bugs were read, a
 * background sync does not promise them (bugs of tests past the walk are refreshed when read, the pull
 * model of the sync design).
 */
export async function expectMatchesTruth(
  location: MirrorLocation,
  truth: GroundTruth,
  options: { bugs?: boolean } = {},
): Promise<void> {
  const bugs = options.bugs ?? true;
  const mirror = await mirrorCounts(location);
  const shape = (p: GroundTruth['products'][number] | MirrorCounts['products'][number]) =>
    bugs ? comparable(p) : withoutBugs(comparable(p));
  expect(mirror.products.map(shape)).toEqual([...truth.products].sort((a, b) => a.id - b.id).map(shape));
  expect(mirror.totals.tests).toBe(truth.totals.tests);
  if (bugs) expect(mirror.totals.bugs).toBe(truth.totals.bugs);
}
