import type { MirrorStats, ProblematicRange } from '@testio-mcp/domain';
import type { MirrorStateReader } from '../../readers/mirror-state-reader.js';
import { type PgReaderContext, requiredTime, run, time } from './sql.js';

interface ProblematicRangeSqlRow {
  id: number;
  product_id: number;
  offset_from: number;
  offset_to: number;
  boundary_before_id: number | null;
  boundary_before_end_at: Date | null;
  boundary_after_id: number | null;
  boundary_after_end_at: Date | null;
  attempts: number;
  last_error: string;
  first_seen_at: Date;
  last_seen_at: Date;
  resolved_at: Date | null;
}

export function createPgMirrorStateReader(ctx: PgReaderContext): MirrorStateReader {
  return {
    stats(): Promise<MirrorStats> {
      return run(async () => {
        const r = await ctx.q.one<{
          products: number | null;
          features: number | null;
          tests: number | null;
          bugs: number | null;
          users: number | null;
          oldest: Date | null;
          newest: Date | null;
          last_tests: Date | null;
        }>(
          // Row counts the stores keep by trigger (entity_counts, ADR 0018), as on SQLite.
          `SELECT (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'products') AS products,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'features') AS features,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'tests') AS tests,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'bugs') AS bugs,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'users') AS users,
             (SELECT min(end_at) FROM tests WHERE customer_id = @customerId) AS oldest,
             (SELECT max(end_at) FROM tests WHERE customer_id = @customerId) AS newest,
             (SELECT max(tests_synced_at) FROM products WHERE customer_id = @customerId) AS last_tests`,
        );
        return {
          products: Number(r?.products ?? 0),
          features: Number(r?.features ?? 0),
          tests: Number(r?.tests ?? 0),
          bugs: Number(r?.bugs ?? 0),
          users: Number(r?.users ?? 0),
          oldestTestEndAt: time(r?.oldest),
          newestTestEndAt: time(r?.newest),
          lastTestsSyncAt: time(r?.last_tests),
        };
      });
    },

    listProblematicRanges(
      options: { productId?: number; includeResolved?: boolean; limit?: number } = {},
    ): Promise<ProblematicRange[]> {
      return run(async () =>
        (
          await ctx.q.all<ProblematicRangeSqlRow>(
            `SELECT * FROM problematic_ranges WHERE customer_id = @customerId
               AND (@productId::int IS NULL OR product_id = @productId::int)
               AND (@includeResolved::boolean OR resolved_at IS NULL)
             ORDER BY last_seen_at DESC, id DESC LIMIT @limit::int`,
            {
              productId: options.productId ?? null,
              includeResolved: options.includeResolved === true,
              limit: Math.max(1, Math.min(1000, options.limit ?? 100)),
            },
          )
        ).map((r) => ({
          id: r.id,
          productId: r.product_id,
          offsetFrom: r.offset_from,
          offsetTo: r.offset_to,
          boundaryBeforeId: r.boundary_before_id,
          boundaryBeforeEndAt: time(r.boundary_before_end_at),
          boundaryAfterId: r.boundary_after_id,
          boundaryAfterEndAt: time(r.boundary_after_end_at),
          attempts: r.attempts,
          lastError: r.last_error,
          firstSeenAt: requiredTime(r.first_seen_at),
          lastSeenAt: requiredTime(r.last_seen_at),
          resolvedAt: time(r.resolved_at),
        })),
      );
    },
  };
}
