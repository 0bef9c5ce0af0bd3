import type {
  PageOf,
  ProductListQuery,
  ProductListRow,
  ProductRef,
  ProductSortField,
  ProductSummaryRow,
} from '@testio-mcp/domain';
import type { ProductsReader } from '../../readers/products-reader.js';
import {
  binary,
  EXECUTED,
  likePattern,
  list,
  nocase,
  orderBy,
  type PgReaderContext,
  requiredTime,
  run,
  sortExpression,
  time,
} from './sql.js';

const PRODUCT_SORT: Record<ProductSortField, string> = {
  title: nocase('p.title'),
  product_type: binary('p.type'),
  last_synced: 'p.synced_at',
};

const PRODUCT_WHERE = `p.customer_id = @customerId
  AND (@search::text IS NULL OR p.title ILIKE @search::text ESCAPE '\\' OR coalesce(p.description, '') ILIKE @search::text ESCAPE '\\')
  AND (@types::text[] IS NULL OR p.type = ANY(@types::text[]))
  AND (@ids::int[] IS NULL OR p.id = ANY(@ids::int[]))`;

const PRODUCT_LIST_SELECT = `SELECT p.id, p.title, p.type, p.description, p.synced_at, p.tests_synced_at,
  (SELECT count(*) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id) AS test_count,
  (SELECT count(*) FROM features f WHERE f.customer_id = p.customer_id AND f.product_id = p.id) AS feature_count,
  (SELECT count(*) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id
     AND t.status = ANY(@executed::text[]) AND t.end_at >= @since30::timestamptz) AS tests_30,
  (SELECT count(*) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id
     AND t.status = ANY(@executed::text[]) AND t.end_at >= @since90::timestamptz) AS tests_90,
  (SELECT max(t.end_at) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id
     AND t.status = ANY(@executed::text[])) AS last_end
FROM products p WHERE ${PRODUCT_WHERE}`;

interface ProductRefRow {
  id: number;
  title: string;
  type: string | null;
  description: string | null;
  synced_at: Date;
  features_synced_at: Date | null;
  tests_synced_at: Date | null;
}

interface ProductListSqlRow extends Omit<ProductRefRow, 'features_synced_at'> {
  test_count: number;
  feature_count: number;
  tests_30: number;
  tests_90: number;
  last_end: Date | null;
}

const PRODUCT_BY_ID = `SELECT id, title, type, description, synced_at, features_synced_at, tests_synced_at
  FROM products WHERE customer_id = @customerId AND id = @id::int`;

function toProductRef(r: ProductRefRow): ProductRef {
  return {
    id: r.id,
    title: r.title,
    type: r.type,
    syncedAt: requiredTime(r.synced_at),
    featuresSyncedAt: time(r.features_synced_at),
    testsSyncedAt: time(r.tests_synced_at),
  };
}

export function createPgProductsReader(ctx: PgReaderContext): ProductsReader {
  return {
    listProducts(q: ProductListQuery): Promise<PageOf<ProductListRow>> {
      return run(() =>
        ctx.snapshot(async ({ all, count }) => {
          const params = {
            search: q.search ? likePattern(q.search) : null,
            types: list(q.productTypes),
            ids: list(q.productIds),
          };
          const total = await count(`SELECT count(*) AS n FROM products p WHERE ${PRODUCT_WHERE}`, params);
          const rows = await all<ProductListSqlRow>(
            `${PRODUCT_LIST_SELECT} ${orderBy(sortExpression(PRODUCT_SORT, q.sortBy), q.sortOrder, 'p.id')}
             LIMIT @limit::int OFFSET @offset::int`,
            {
              ...params,
              executed: EXECUTED,
              since30: q.recentSince.days30,
              since90: q.recentSince.days90,
              limit: q.limit,
              offset: q.offset,
            },
          );
          return {
            total,
            items: rows.map((r) => ({
              id: r.id,
              title: r.title,
              type: r.type,
              description: r.description,
              testCount: Number(r.test_count),
              featureCount: Number(r.feature_count),
              testsLast30Days: Number(r.tests_30),
              testsLast90Days: Number(r.tests_90),
              lastTestEndAt: time(r.last_end),
              syncedAt: requiredTime(r.synced_at),
              testsSyncedAt: time(r.tests_synced_at),
            })),
          };
        }),
      );
    },

    productsSyncedAt(productIds?: readonly number[]): Promise<Date | null> {
      return run(async () =>
        time(
          (
            await ctx.q.one<{ t: Date | null }>(
              `SELECT min(p.synced_at) AS t FROM products p WHERE p.customer_id = @customerId
                 AND (@ids::int[] IS NULL OR p.id = ANY(@ids::int[]))`,
              { ids: list(productIds) },
            )
          )?.t,
        ),
      );
    },

    getProduct(productId: number): Promise<ProductRef | null> {
      return run(async () => {
        const r = await ctx.q.one<ProductRefRow>(PRODUCT_BY_ID, { id: productId });
        return r ? toProductRef(r) : null;
      });
    },

    getProductSummary(productId: number): Promise<ProductSummaryRow | null> {
      return run(() =>
        ctx.snapshot(async ({ all, one }) => {
          const r = await one<ProductRefRow>(PRODUCT_BY_ID, { id: productId });
          if (!r) return null;
          const statuses = await all<{ status: string; n: number }>(
            `SELECT status, count(*) AS n FROM tests WHERE customer_id = @customerId AND product_id = @id::int
             GROUP BY status ORDER BY status COLLATE "C"`,
            { id: productId },
          );
          const extra = await one<{ features: number; stories: number; last_end: Date | null }>(
            `SELECT (SELECT count(*) FROM features WHERE customer_id = @customerId AND product_id = @id::int) AS features,
               (SELECT count(*) FROM user_stories WHERE customer_id = @customerId AND product_id = @id::int) AS stories,
               (SELECT max(end_at) FROM tests WHERE customer_id = @customerId AND product_id = @id::int
                  AND status = ANY(@executed::text[])) AS last_end`,
            { id: productId, executed: EXECUTED },
          );
          return {
            ...toProductRef(r),
            description: r.description,
            testCount: statuses.reduce((sum, s) => sum + Number(s.n), 0),
            testsByStatus: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
            featureCount: Number(extra?.features ?? 0),
            userStoryCount: Number(extra?.stories ?? 0),
            lastTestEndAt: time(extra?.last_end),
          };
        }),
      );
    },
  };
}
