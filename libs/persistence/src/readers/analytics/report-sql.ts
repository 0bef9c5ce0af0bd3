import type { ReportTestRow } from '@testio-mcp/domain';
import { fromDbTime } from '../../time.js';
import { perDialect, SCOPED_TESTS, scopedTestsOf } from './cube.js';
import { SQLITE } from './dialect.js';

/**
 * The quality report's statements on SQLite: per-test rows and breakdowns, from the bugs or from the
 * aggregates (PostgreSQL's are in `postgres/analytics/report-sql.ts`, the rows shaped by `toReportTest`
 * for both).
 */

export interface ReportTestRaw {
  id: number;
  product_id: number;
  title: string;
  status: string;
  testing_type: string | null;
  /** Stored text on SQLite, a Date on PostgreSQL. */
  start_at: string | Date | null;
  end_at: string | Date | null;
  /** JSON text on SQLite, the parsed value on PostgreSQL. */
  environment: unknown;
  bugs_synced_at: string | Date | null;
  bugs: number;
  accepted: number;
  auto_accepted: number;
  rejected: number;
  forwarded: number;
  critical: number;
  high: number;
  low: number;
  visual: number;
  content: number;
  custom: number;
  known: number;
}

export const REPORT_TESTS = `WITH ${SCOPED_TESTS}
  SELECT t.id, t.product_id, t.title, t.status, t.testing_type, t.start_at, t.end_at, t.environment, t.bugs_synced_at,
    COUNT(b.id) AS bugs,
    TOTAL(b.status = 'accepted') AS accepted, TOTAL(b.status = 'auto_accepted') AS auto_accepted,
    TOTAL(b.status = 'rejected') AS rejected, TOTAL(b.status = 'forwarded') AS forwarded,
    TOTAL(b.severity = 'critical') AS critical, TOTAL(b.severity = 'high') AS high, TOTAL(b.severity = 'low') AS low,
    TOTAL(b.severity = 'visual') AS visual, TOTAL(b.severity = 'content') AS content, TOTAL(b.severity = 'custom') AS custom,
    TOTAL(b.known) AS known
  FROM scoped_tests st
  JOIN tests t ON t.customer_id = @cid AND t.id = st.id
  LEFT JOIN bugs b ON b.customer_id = @cid AND b.test_id = t.id
  GROUP BY t.id
  ORDER BY t.end_at IS NULL, t.end_at DESC, t.id DESC`;

/** The per-test count columns of the report rows (`test_bug_totals`' columns). */
export const REPORT_COUNT_COLUMNS = [
  'bugs',
  'accepted',
  'auto_accepted',
  'rejected',
  'forwarded',
  'critical',
  'high',
  'low',
  'visual',
  'content',
  'custom',
  'known',
] as const;

/** The report statements both engines spell alike but for the scope, the loop join and the devices. */
export const reportStatementsOf = perDialect((d) => ({
  /** REPORT_TESTS from the per-test totals (ADR 0021): one row per test instead of every bug. */
  testsFromTotals: `WITH ${scopedTestsOf(d)}
  SELECT t.id, t.product_id, t.title, t.status, t.testing_type, t.start_at, t.end_at, t.environment, t.bugs_synced_at,
    ${REPORT_COUNT_COLUMNS.map((c) => `coalesce(x.${c}, 0) AS ${c}`).join(', ')}
  FROM scoped_tests st
  JOIN tests t ON t.customer_id = @cid AND t.id = st.id
  LEFT JOIN test_bug_totals x ON x.customer_id = @cid AND x.test_id = st.id
  ORDER BY t.end_at IS NULL, t.end_at DESC, t.id DESC`,

  /** REPORT_REJECTIONS from the per-test attribute counts: rows of rejected bugs, summed. */
  rejectionsFromCounts: `WITH ${scopedTestsOf(d)}
  SELECT st.product_id AS product_id, a.rejection_reason AS reason, SUM(a.bugs) AS bugs
  FROM scoped_tests st ${d.loopJoin} test_bug_attr_counts a ON a.customer_id = @cid AND a.test_id = st.id
  WHERE a.status = 'rejected'
  GROUP BY st.product_id, a.rejection_reason`,

  rejections: `WITH ${scopedTestsOf(d)}
  SELECT st.product_id AS product_id, b.rejection_reason AS reason, COUNT(*) AS bugs
  FROM scoped_tests st ${d.loopJoin} bugs b ON b.customer_id = @cid AND b.test_id = st.id
  WHERE b.status = 'rejected'
  GROUP BY st.product_id, b.rejection_reason`,

  platforms: `WITH ${scopedTestsOf(d)}
  SELECT st.product_id AS product_id, ${d.deviceOs} AS platform, COUNT(DISTINCT b.id) AS bugs
  FROM scoped_tests st ${d.loopJoin} bugs b ON b.customer_id = @cid AND b.test_id = st.id
  ${d.devicesJoin('b.devices')}
  GROUP BY st.product_id, platform`,

  /**
   * REPORT_PLATFORMS from the per-test and per-system totals: a bug with devices on two systems is in one
   * row of each, as it is counted once under each system there.
   */
  platformsFromTotals: `WITH ${scopedTestsOf(d)}
  SELECT st.product_id AS product_id, a.os AS platform, SUM(a.bugs) AS bugs
  FROM scoped_tests st ${d.loopJoin} test_platform_bug_totals a ON a.customer_id = @cid AND a.test_id = st.id
  GROUP BY st.product_id, a.os`,
}));

const SQLITE_REPORT = reportStatementsOf(SQLITE);
export const REPORT_TESTS_FROM_TOTALS = SQLITE_REPORT.testsFromTotals;
export const REPORT_REJECTIONS_FROM_COUNTS = SQLITE_REPORT.rejectionsFromCounts;
export const REPORT_REJECTIONS = SQLITE_REPORT.rejections;
export const REPORT_PLATFORMS = SQLITE_REPORT.platforms;
export const REPORT_PLATFORMS_FROM_TOTALS = SQLITE_REPORT.platformsFromTotals;

/**
 * The operating systems of the tenant's test platforms and bug devices, from the counts the sync keeps in
 * the transaction that writes them (migration `*_derived_counts`, ADR 0018): a few rows, not every bug.
 */
export const PLATFORMS = `SELECT os FROM platform_counts WHERE customer_id = @cid AND n > 0 ORDER BY os COLLATE NOCASE`;

const STATUS_KEYS = ['accepted', 'auto_accepted', 'rejected', 'forwarded'] as const;
const SEVERITY_KEYS = ['critical', 'high', 'low', 'visual', 'content', 'custom'] as const;

const timeOf = (value: string | Date | null): Date | null =>
  value instanceof Date ? value : fromDbTime(value);

function parsed(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return null;
  }
}

export function toReportTest(r: ReportTestRaw): ReportTestRow {
  let environment: ReportTestRow['environment'] = null;
  const env = parsed(r.environment) as { id?: unknown; title?: unknown } | null;
  if (env && typeof env === 'object' && typeof env.id === 'number')
    environment = { id: env.id, title: typeof env.title === 'string' ? env.title : null };
  const bugsBySeverity: Record<string, number> = {};
  for (const key of SEVERITY_KEYS) if (r[key] > 0) bugsBySeverity[key] = r[key];
  return {
    id: r.id,
    productId: r.product_id,
    title: r.title,
    status: r.status,
    testingType: r.testing_type,
    startAt: timeOf(r.start_at),
    endAt: timeOf(r.end_at),
    environment,
    bugsSyncedAt: timeOf(r.bugs_synced_at),
    bugs: r.bugs,
    bugsByStatus: Object.fromEntries(STATUS_KEYS.map((k) => [k, r[k]])),
    bugsBySeverity,
    knownBugs: r.known,
  };
}
