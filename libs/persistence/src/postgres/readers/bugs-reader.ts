import type {
  BugDetailRow,
  BugDevice,
  BugListQuery,
  BugListRow,
  BugSortField,
  PageOf,
  SortOrder,
  TestBugRow,
} from '@testio-mcp/domain';
import type { BugsReader } from '../../readers/bugs-reader.js';
import {
  binary,
  jsonValue,
  list,
  nocase,
  orderBy,
  type PgReaderContext,
  run,
  sortExpression,
  time,
} from './sql.js';

/** Severity rank: 1 = most severe. */
const SEVERITY_RANK = `CASE b.severity WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'low' THEN 3 WHEN 'visual' THEN 4
  WHEN 'content' THEN 5 WHEN 'custom' THEN 6 ELSE 7 END`;

const BUG_SORT: Record<Exclude<BugSortField, 'severity'>, string> = {
  reported_at: 'b.reported_at',
  status: binary('b.status'),
  title: nocase('b.title'),
};

function bugOrder(field: BugSortField, order: SortOrder): string {
  if (field === 'severity') {
    // "desc" means most severe first, i.e. ascending rank; unknown severities last either way.
    const dir = order === 'desc' ? 'ASC' : 'DESC';
    return `ORDER BY b.severity IS NULL, ${SEVERITY_RANK} ${dir}, b.reported_at IS NULL, b.reported_at DESC, b.id DESC`;
  }
  return orderBy(sortExpression(BUG_SORT, field), order, 'b.id');
}

const BUG_WHERE = `b.customer_id = @customerId AND b.test_id = ANY(@testIds::int[])
  AND (@statuses::text[] IS NULL OR b.status = ANY(@statuses::text[]))
  AND (@severities::text[] IS NULL OR b.severity = ANY(@severities::text[]))
  AND (@reasons::text[] IS NULL OR b.rejection_reason = ANY(@reasons::text[]))
  AND (@author::text IS NULL OR b.author = @author::text)`;

const BUG_COLUMNS =
  'b.id, b.test_id, b.title, b.severity, b.status, b.known, b.rejection_reason, b.reported_at';

/**
 * A bug's test, product, reporter and feature, each looked up by its unique key from the one bug row.
 * Plain joins let the planner start anywhere: without statistics (a bulk-loaded database before autovacuum,
 * or with it off) it hashed every test of the tenant against the bug, 51-57 ms at `large` instead of
 * 0.1 ms. A LATERAL subquery with LIMIT is not flattened, so each lookup runs once, from the bug, by index,
 * however the tables are analysed. LIMIT 1 drops nothing: every key here is unique per tenant (tests, products,
 * features by (customer_id, id), users by (customer_id, username), test features by their primary key).
 */
const BUG_DETAIL_LOOKUPS = `JOIN LATERAL (SELECT t.title, t.bugs_synced_at, t.product_id FROM tests t
    WHERE t.customer_id = b.customer_id AND t.id = b.test_id LIMIT 1) t ON true
  JOIN LATERAL (SELECT p.title FROM products p
    WHERE p.customer_id = b.customer_id AND p.id = t.product_id LIMIT 1) p ON true
  LEFT JOIN LATERAL (SELECT u.id FROM users u
    WHERE u.customer_id = b.customer_id AND u.username = b.author LIMIT 1) u ON true
  LEFT JOIN LATERAL (SELECT tf.feature_id, tf.title FROM test_features tf
    WHERE tf.customer_id = b.customer_id AND tf.id = b.test_feature_id LIMIT 1) tf ON true
  LEFT JOIN LATERAL (SELECT f.title FROM features f
    WHERE f.customer_id = b.customer_id AND f.id = coalesce(b.feature_id, tf.feature_id) LIMIT 1) f ON true`;

interface BugListSqlRow {
  id: number;
  test_id: number;
  title: string;
  severity: string | null;
  status: string | null;
  known: boolean | number;
  rejection_reason: string | null;
  reported_at: Date | null;
}

interface BugDetailSqlRow extends BugListSqlRow {
  steps: string | null;
  actual_result: string | null;
  expected_result: string | null;
  devices: unknown;
  author: string | null;
  reporter_id: number | null;
  test_title: string;
  bugs_synced_at: Date | null;
  product_id: number;
  product_title: string;
  feature_id: number | null;
  feature_title: string | null;
}

function toBugRow(r: BugListSqlRow): BugListRow {
  return {
    id: r.id,
    testId: r.test_id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    known: r.known === true || r.known === 1,
    rejectionReason: r.rejection_reason,
    reportedAt: time(r.reported_at),
  };
}

export function createPgBugsReader(ctx: PgReaderContext): BugsReader {
  return {
    listBugsOfTest(testId: number): Promise<TestBugRow[]> {
      return run(async () =>
        (
          await ctx.q.all<BugListSqlRow & { devices: unknown }>(
            `SELECT ${BUG_COLUMNS}, b.devices FROM bugs b WHERE b.customer_id = @customerId AND b.test_id = @id::int
             ORDER BY b.reported_at IS NULL, b.reported_at DESC, b.id DESC`,
            { id: testId },
          )
        ).map((r) => {
          const row = toBugRow(r);
          return {
            id: row.id,
            title: row.title,
            severity: row.severity,
            status: row.status,
            known: row.known,
            reportedAt: row.reportedAt,
            devices: jsonValue<BugDevice[]>(r.devices, []),
          };
        }),
      );
    },

    listBugs(q: BugListQuery): Promise<PageOf<BugListRow>> {
      return run(() =>
        ctx.snapshot(async ({ all, count }) => {
          const params = {
            testIds: [...q.testIds],
            statuses: list(q.statuses),
            severities: list(q.severities),
            reasons: list(q.rejectionReasons),
            author: q.author ?? null,
          };
          const total = await count(`SELECT count(*) AS n FROM bugs b WHERE ${BUG_WHERE}`, params);
          const rows = await all<BugListSqlRow>(
            `SELECT ${BUG_COLUMNS} FROM bugs b WHERE ${BUG_WHERE} ${bugOrder(q.sortBy, q.sortOrder)}
             LIMIT @limit::int OFFSET @offset::int`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toBugRow) };
        }),
      );
    },

    getBugDetail(bugId: number): Promise<BugDetailRow | null> {
      return run(async () => {
        const r = await ctx.q.one<BugDetailSqlRow>(
          `SELECT ${BUG_COLUMNS}, b.steps, b.actual_result, b.expected_result, b.devices, b.author,
             u.id AS reporter_id, t.title AS test_title, t.bugs_synced_at, t.product_id, p.title AS product_title,
             coalesce(b.feature_id, tf.feature_id) AS feature_id, coalesce(f.title, tf.title) AS feature_title
           FROM bugs b
           ${BUG_DETAIL_LOOKUPS}
           WHERE b.customer_id = @customerId AND b.id = @id::int`,
          { id: bugId },
        );
        if (!r) return null;
        return {
          ...toBugRow(r),
          steps: r.steps,
          actualResult: r.actual_result,
          expectedResult: r.expected_result,
          devices: jsonValue<BugDevice[]>(r.devices, []),
          author: r.author,
          reporter:
            r.reporter_id !== null && r.author !== null ? { id: r.reporter_id, username: r.author } : null,
          test: { id: r.test_id, title: r.test_title, bugsSyncedAt: time(r.bugs_synced_at) },
          product: { id: r.product_id, title: r.product_title },
          feature:
            r.feature_id !== null
              ? { id: r.feature_id, title: r.feature_title ?? `Feature ${r.feature_id}` }
              : null,
        };
      });
    },
  };
}
