import type {
  MirrorReader,
  PageOf,
  ProductListQuery,
  ProductListRow,
  ProductRef,
  ProductSortField,
  ProductSummaryRow,
} from '@testio-mcp/domain';
import type { ProductRow } from '../rows.js';
import { readTransaction } from '../sqlite.js';
import { dbTime, fromDbTime } from '../time.js';
import {
  EXECUTED,
  jsonList,
  likePattern,
  orderBy,
  type ReaderContext,
  requiredTime,
  run,
  sortExpression,
} from './sql.js';

export type ProductsReader = Pick<
  MirrorReader,
  'listProducts' | 'productsSyncedAt' | 'getProduct' | 'getProductSummary'
>;

type ProductRefRow = Pick<
  ProductRow,
  'id' | 'title' | 'type' | 'description' | 'synced_at' | 'features_synced_at' | 'tests_synced_at'
>;

const PRODUCT_SORT: Record<ProductSortField, string> = {
  title: 'p.title COLLATE NOCASE',
  product_type: 'p.type',
  last_synced: 'p.synced_at',
};

const PRODUCT_WHERE = `p.customer_id = @customerId
  AND (@search IS NULL OR p.title LIKE @search ESCAPE '\\' OR coalesce(p.description, '') LIKE @search ESCAPE '\\')
  AND (@types IS NULL OR p.type IN (SELECT value FROM json_each(@types)))
  AND (@ids IS NULL OR p.id IN (SELECT value FROM json_each(@ids)))`;

const PRODUCT_LIST_SELECT = `SELECT p.id, p.title, p.type, p.description, p.synced_at, p.tests_synced_at,
  (SELECT count(*) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id) AS test_count,
  (SELECT count(*) FROM features f WHERE f.customer_id = p.customer_id AND f.product_id = p.id) AS feature_count,
  (SELECT count(*) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id
     AND t.status IN (SELECT value FROM json_each('${EXECUTED}')) AND t.end_at >= @since30) AS tests_30,
  (SELECT count(*) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id
     AND t.status IN (SELECT value FROM json_each('${EXECUTED}')) AND t.end_at >= @since90) AS tests_90,
  (SELECT max(t.end_at) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id
     AND t.status IN (SELECT value FROM json_each('${EXECUTED}'))) AS last_end
FROM products p WHERE ${PRODUCT_WHERE}`;

type ProductListSqlRow = Pick<
  ProductRow,
  'id' | 'title' | 'type' | 'description' | 'synced_at' | 'tests_synced_at'
> & {
  test_count: number;
  feature_count: number;
  tests_30: number;
  tests_90: number;
  last_end: string | null;
};

const PRODUCT_BY_ID = `SELECT id, title, type, description, synced_at, features_synced_at, tests_synced_at
  FROM products WHERE customer_id = @customerId AND id = @id`;

function toProductRef(r: ProductRefRow): ProductRef {
  return {
    id: r.id,
    title: r.title,
    type: r.type,
    syncedAt: requiredTime(r.synced_at),
    featuresSyncedAt: fromDbTime(r.features_synced_at),
    testsSyncedAt: fromDbTime(r.tests_synced_at),
  };
}

export function createProductsReader(ctx: ReaderContext): ProductsReader {
  const { db, all, one, count } = ctx;
  return {
    listProducts(q: ProductListQuery): Promise<PageOf<ProductListRow>> {
      return run(() =>
        readTransaction(db, () => {
          const params = {
            search: q.search ? likePattern(q.search) : null,
            types: jsonList(q.productTypes),
            ids: jsonList(q.productIds),
          };
          const total = count(`SELECT count(*) AS n FROM products p WHERE ${PRODUCT_WHERE}`, params);
          const rows = all<ProductListSqlRow>(
            `${PRODUCT_LIST_SELECT} ${orderBy(sortExpression(PRODUCT_SORT, q.sortBy), q.sortOrder, 'p.id')} LIMIT @limit OFFSET @offset`,
            {
              ...params,
              since30: dbTime(q.recentSince.days30),
              since90: dbTime(q.recentSince.days90),
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
              testCount: r.test_count,
              featureCount: r.feature_count,
              testsLast30Days: r.tests_30,
              testsLast90Days: r.tests_90,
              lastTestEndAt: fromDbTime(r.last_end),
              syncedAt: requiredTime(r.synced_at),
              testsSyncedAt: fromDbTime(r.tests_synced_at),
            })),
          };
        }),
      );
    },

    productsSyncedAt(productIds?: readonly number[]): Promise<Date | null> {
      return run(() =>
        fromDbTime(
          one<{ t: string | null }>(
            `SELECT min(p.synced_at) AS t FROM products p WHERE p.customer_id = @customerId
               AND (@ids IS NULL OR p.id IN (SELECT value FROM json_each(@ids)))`,
            { ids: jsonList(productIds) },
          )?.t,
        ),
      );
    },

    getProduct(productId: number): Promise<ProductRef | null> {
      return run(() => {
        const r = one<ProductRefRow>(PRODUCT_BY_ID, { id: productId });
        return r ? toProductRef(r) : null;
      });
    },

    getProductSummary(productId: number): Promise<ProductSummaryRow | null> {
      return run(() =>
        readTransaction(db, () => {
          const r = one<ProductRefRow>(PRODUCT_BY_ID, { id: productId });
          if (!r) return null;
          const statuses = all<{ status: string; n: number }>(
            'SELECT status, count(*) AS n FROM tests WHERE customer_id = @customerId AND product_id = @id GROUP BY status ORDER BY status',
            { id: productId },
          );
          const extra = one<{ features: number; stories: number; last_end: string | null }>(
            `SELECT (SELECT count(*) FROM features WHERE customer_id = @customerId AND product_id = @id) AS features,
               (SELECT count(*) FROM user_stories WHERE customer_id = @customerId AND product_id = @id) AS stories,
               (SELECT max(end_at) FROM tests WHERE customer_id = @customerId AND product_id = @id
                  AND status IN (SELECT value FROM json_each('${EXECUTED}'))) AS last_end`,
            { id: productId },
          );
          return {
            ...toProductRef(r),
            description: r.description,
            testCount: statuses.reduce((sum, s) => sum + s.n, 0),
            testsByStatus: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
            featureCount: extra?.features ?? 0,
            userStoryCount: extra?.stories ?? 0,
            lastTestEndAt: fromDbTime(extra?.last_end),
          };
        }),
      );
    },
  };
}
