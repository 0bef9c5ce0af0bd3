import { scopedTestsOf } from '../../readers/analytics/cube.js';
import { reportStatementsOf } from '../../readers/analytics/report-sql.js';
import { POSTGRES } from './dialect.js';

/**
 * The quality report's statements on PostgreSQL. Five are the SQLite ones in PostgreSQL's spelling
 * (`reportStatementsOf`); two are written here: the per-test rows from the bugs (SQLite groups by `t.id`
 * and reads the other test columns, which PostgreSQL allows only by the primary key `pk`: the counts come
 * from a lateral subquery instead) and the platform list (SQLite's `COLLATE NOCASE` order).
 */
export const PG_REPORT = {
  ...reportStatementsOf(POSTGRES),
  tests: `WITH ${scopedTestsOf(POSTGRES)}
  SELECT t.id, t.product_id, t.title, t.status, t.testing_type, t.start_at, t.end_at, t.environment, t.bugs_synced_at,
    x.bugs, x.accepted, x.auto_accepted, x.rejected, x.forwarded, x.critical, x.high, x.low, x.visual, x.content,
    x.custom, x.known
  FROM scoped_tests st
  JOIN tests t ON t.customer_id = @cid AND t.id = st.id
  CROSS JOIN LATERAL (
    SELECT count(*) AS bugs,
      count(*) FILTER (WHERE b.status = 'accepted') AS accepted,
      count(*) FILTER (WHERE b.status = 'auto_accepted') AS auto_accepted,
      count(*) FILTER (WHERE b.status = 'rejected') AS rejected,
      count(*) FILTER (WHERE b.status = 'forwarded') AS forwarded,
      count(*) FILTER (WHERE b.severity = 'critical') AS critical,
      count(*) FILTER (WHERE b.severity = 'high') AS high,
      count(*) FILTER (WHERE b.severity = 'low') AS low,
      count(*) FILTER (WHERE b.severity = 'visual') AS visual,
      count(*) FILTER (WHERE b.severity = 'content') AS content,
      count(*) FILTER (WHERE b.severity = 'custom') AS custom,
      count(*) FILTER (WHERE b.known) AS known
    FROM bugs b WHERE b.customer_id = @cid AND b.test_id = t.id
  ) x
  ORDER BY t.end_at IS NULL, t.end_at DESC, t.id DESC`,
  /** SQLite's `ORDER BY os COLLATE NOCASE`: ASCII case folded, then byte order. */
  listPlatforms: `SELECT os FROM platform_counts WHERE customer_id = @cid AND n > 0
  ORDER BY lower(os COLLATE "C"), os COLLATE "C"`,
} as const;
