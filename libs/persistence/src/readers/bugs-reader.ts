import type {
  BugDetailRow,
  BugDevice,
  BugListQuery,
  BugListRow,
  BugSortField,
  MirrorReader,
  PageOf,
  SortOrder,
  TestBugRow,
} from '@testio-mcp/domain';
import type { BugRow, FeatureRow, ProductRow, TestRow, UserRow } from '../rows.js';
import { readTransaction } from '../sqlite.js';
import { fromDbTime } from '../time.js';
import { jsonList, orderBy, parseJson, type ReaderContext, run, sortExpression } from './sql.js';

export type BugsReader = Pick<MirrorReader, 'listBugsOfTest' | 'listBugs' | 'getBugDetail'>;

/** Severity rank: 1 = most severe. */
const SEVERITY_RANK = `CASE b.severity WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'low' THEN 3 WHEN 'visual' THEN 4
  WHEN 'content' THEN 5 WHEN 'custom' THEN 6 ELSE 7 END`;

const BUG_SORT: Record<Exclude<BugSortField, 'severity'>, string> = {
  reported_at: 'b.reported_at',
  status: 'b.status',
  title: 'b.title COLLATE NOCASE',
};

function bugOrder(field: BugSortField, order: SortOrder): string {
  if (field === 'severity') {
    // "desc" means most severe first, i.e. ascending rank; unknown severities last either way.
    const dir = order === 'desc' ? 'ASC' : 'DESC';
    return `ORDER BY b.severity IS NULL, ${SEVERITY_RANK} ${dir}, b.reported_at DESC, b.id DESC`;
  }
  return orderBy(sortExpression(BUG_SORT, field), order, 'b.id');
}

const BUG_WHERE = `b.customer_id = @customerId AND b.test_id IN (SELECT value FROM json_each(@testIds))
  AND (@statuses IS NULL OR b.status IN (SELECT value FROM json_each(@statuses)))
  AND (@severities IS NULL OR b.severity IN (SELECT value FROM json_each(@severities)))
  AND (@reasons IS NULL OR b.rejection_reason IN (SELECT value FROM json_each(@reasons)))
  AND (@author IS NULL OR b.author = @author)`;

const BUG_COLUMNS =
  'b.id, b.test_id, b.title, b.severity, b.status, b.known, b.rejection_reason, b.reported_at';

type BugListSqlRow = Pick<
  BugRow,
  'id' | 'test_id' | 'title' | 'severity' | 'status' | 'known' | 'rejection_reason' | 'reported_at'
>;

type BugDetailSqlRow = BugListSqlRow &
  Pick<BugRow, 'steps' | 'actual_result' | 'expected_result' | 'devices' | 'author'> & {
    reporter_id: UserRow['id'] | null;
    test_title: TestRow['title'];
    bugs_synced_at: TestRow['bugs_synced_at'];
    product_id: TestRow['product_id'];
    product_title: ProductRow['title'];
    feature_id: BugRow['feature_id'];
    feature_title: FeatureRow['title'] | null;
  };

function toBugRow(r: BugListSqlRow): BugListRow {
  return {
    id: r.id,
    testId: r.test_id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    known: r.known === 1,
    rejectionReason: r.rejection_reason,
    reportedAt: fromDbTime(r.reported_at),
  };
}

export function createBugsReader(ctx: ReaderContext): BugsReader {
  const { db, all, one, count } = ctx;
  return {
    listBugsOfTest(testId: number): Promise<TestBugRow[]> {
      return run(() =>
        all<BugListSqlRow & Pick<BugRow, 'devices'>>(
          `SELECT ${BUG_COLUMNS}, b.devices FROM bugs b WHERE b.customer_id = @customerId AND b.test_id = @id
           ORDER BY b.reported_at IS NULL, b.reported_at DESC, b.id DESC`,
          { id: testId },
        ).map((r) => {
          const row = toBugRow(r);
          return {
            id: row.id,
            title: row.title,
            severity: row.severity,
            status: row.status,
            known: row.known,
            reportedAt: row.reportedAt,
            devices: parseJson<BugDevice[]>(r.devices, []),
          };
        }),
      );
    },

    listBugs(q: BugListQuery): Promise<PageOf<BugListRow>> {
      return run(() =>
        readTransaction(db, () => {
          const params = {
            testIds: JSON.stringify(q.testIds),
            statuses: jsonList(q.statuses),
            severities: jsonList(q.severities),
            reasons: jsonList(q.rejectionReasons),
            author: q.author ?? null,
          };
          const total = count(`SELECT count(*) AS n FROM bugs b WHERE ${BUG_WHERE}`, params);
          const rows = all<BugListSqlRow>(
            `SELECT ${BUG_COLUMNS} FROM bugs b WHERE ${BUG_WHERE} ${bugOrder(q.sortBy, q.sortOrder)} LIMIT @limit OFFSET @offset`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toBugRow) };
        }),
      );
    },

    getBugDetail(bugId: number): Promise<BugDetailRow | null> {
      return run(() => {
        const r = one<BugDetailSqlRow>(
          `SELECT ${BUG_COLUMNS}, b.steps, b.actual_result, b.expected_result, b.devices, b.author,
             u.id AS reporter_id, t.title AS test_title, t.bugs_synced_at, t.product_id, p.title AS product_title,
             coalesce(b.feature_id, tf.feature_id) AS feature_id, coalesce(f.title, tf.title) AS feature_title
           FROM bugs b
           JOIN tests t ON t.customer_id = b.customer_id AND t.id = b.test_id
           JOIN products p ON p.customer_id = t.customer_id AND p.id = t.product_id
           LEFT JOIN users u ON u.customer_id = b.customer_id AND u.username = b.author
           LEFT JOIN test_features tf ON tf.customer_id = b.customer_id AND tf.id = b.test_feature_id
           LEFT JOIN features f ON f.customer_id = b.customer_id AND f.id = coalesce(b.feature_id, tf.feature_id)
           WHERE b.customer_id = @customerId AND b.id = @id`,
          { id: bugId },
        );
        if (!r) return null;
        return {
          ...toBugRow(r),
          steps: r.steps,
          actualResult: r.actual_result,
          expectedResult: r.expected_result,
          devices: parseJson<BugDevice[]>(r.devices, []),
          author: r.author,
          reporter:
            r.reporter_id !== null && r.author !== null ? { id: r.reporter_id, username: r.author } : null,
          test: { id: r.test_id, title: r.test_title, bugsSyncedAt: fromDbTime(r.bugs_synced_at) },
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
