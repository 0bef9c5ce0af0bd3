import type { MirrorReader, MirrorStats, ProblematicRange } from '@testio-mcp/domain';
import type { ProblematicRangeRow } from '../rows.js';
import { fromDbTime } from '../time.js';
import { type ReaderContext, requiredTime, run } from './sql.js';

/** What the mirror holds as a whole, and the ranges of test lists TestIO could not serve. */
export type MirrorStateReader = Pick<MirrorReader, 'stats' | 'listProblematicRanges'>;

export function createMirrorStateReader(ctx: ReaderContext): MirrorStateReader {
  const { all, one } = ctx;
  return {
    stats(): Promise<MirrorStats> {
      return run(() => {
        const r = one<{
          products: number;
          features: number;
          tests: number;
          bugs: number;
          users: number;
          oldest: string | null;
          newest: string | null;
          last_tests: string | null;
        }>(
          // Row counts the sync keeps by trigger (entity_counts, ADR 0018), not count(*) of a million bugs.
          `SELECT (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'products') AS products,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'features') AS features,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'tests') AS tests,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'bugs') AS bugs,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'users') AS users,
             (SELECT min(end_at) FROM tests WHERE customer_id = @customerId) AS oldest,
             (SELECT max(end_at) FROM tests WHERE customer_id = @customerId) AS newest,
             (SELECT max(tests_synced_at) FROM products WHERE customer_id = @customerId) AS last_tests`,
          {},
        );
        return {
          products: r?.products ?? 0,
          features: r?.features ?? 0,
          tests: r?.tests ?? 0,
          bugs: r?.bugs ?? 0,
          users: r?.users ?? 0,
          oldestTestEndAt: fromDbTime(r?.oldest),
          newestTestEndAt: fromDbTime(r?.newest),
          lastTestsSyncAt: fromDbTime(r?.last_tests),
        };
      });
    },

    listProblematicRanges(
      options: { productId?: number; includeResolved?: boolean; limit?: number } = {},
    ): Promise<ProblematicRange[]> {
      return run(() =>
        all<ProblematicRangeRow>(
          `SELECT * FROM problematic_ranges WHERE customer_id = @customerId
             AND (@productId IS NULL OR product_id = @productId) AND (@includeResolved OR resolved_at IS NULL)
           ORDER BY last_seen_at DESC, id DESC LIMIT @limit`,
          {
            productId: options.productId ?? null,
            includeResolved: options.includeResolved ? 1 : 0,
            limit: Math.max(1, Math.min(1000, options.limit ?? 100)),
          },
        ).map((r) => ({
          id: r.id,
          productId: r.product_id,
          offsetFrom: r.offset_from,
          offsetTo: r.offset_to,
          boundaryBeforeId: r.boundary_before_id,
          boundaryBeforeEndAt: fromDbTime(r.boundary_before_end_at),
          boundaryAfterId: r.boundary_after_id,
          boundaryAfterEndAt: fromDbTime(r.boundary_after_end_at),
          attempts: r.attempts,
          lastError: r.last_error,
          firstSeenAt: requiredTime(r.first_seen_at),
          lastSeenAt: requiredTime(r.last_seen_at),
          resolvedAt: fromDbTime(r.resolved_at),
        })),
      );
    },
  };
}
