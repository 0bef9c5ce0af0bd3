import { buildMirrorCounts, type GroupCount, type MirrorCounts, type ProductCountRow } from '../queries.js';
import { pgDomainError } from './errors.js';
import type { PgPool } from './pool.js';

/**
 * `MirrorQueries` on PostgreSQL: whole-mirror counts of one tenant in the sandbox's ground-truth shape, for
 * the tests that compare a PostgreSQL mirror with the truth. Four reads in one REPEATABLE READ, READ ONLY
 * transaction (one snapshot), assembled exactly as on SQLite.
 */
export class PgMirrorQueries {
  constructor(
    private readonly pool: PgPool,
    private readonly customerId: number,
  ) {}

  async countsForTruthComparison(): Promise<MirrorCounts> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const c = [this.customerId];
      const products = await client.query<ProductCountRow>(
        `SELECT p.id, p.title, p.has_sections AS "hasSections",
                array(SELECT s.id FROM sections s WHERE s.customer_id = p.customer_id AND s.product_id = p.id ORDER BY s.id) AS "sectionIds",
                (SELECT count(*) FROM features f WHERE f.customer_id = p.customer_id AND f.product_id = p.id) AS features,
                (SELECT count(*) FROM user_stories u WHERE u.customer_id = p.customer_id AND u.product_id = p.id) AS "userStories"
         FROM products p WHERE p.customer_id = $1 ORDER BY p.id`,
        c,
      );
      const grouped = (table: string, column: string) =>
        client.query<GroupCount>(
          `SELECT product_id AS "productId", ${column} AS key, count(*) AS n FROM ${table}
           WHERE customer_id = $1 GROUP BY product_id, ${column}`,
          c,
        );
      const testGroups = await grouped('tests', 'status');
      const bugStatusGroups = await grouped('bugs', 'status');
      const bugSeverityGroups = await grouped('bugs', 'severity');
      await client.query('COMMIT');
      return buildMirrorCounts({
        products: products.rows,
        testGroups: testGroups.rows,
        bugStatusGroups: bugStatusGroups.rows,
        bugSeverityGroups: bugSeverityGroups.rows,
      });
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw pgDomainError(error);
    } finally {
      client.release();
    }
  }
}
