import type {
  FeatureDetailRow,
  FeatureListQuery,
  FeatureListRow,
  FeatureSortField,
  MirrorReader,
  PageOf,
} from '@testio-mcp/domain';
import type { FeatureRow, ProductRow } from '../rows.js';
import { readTransaction } from '../sqlite.js';
import { orderBy, parseJson, type ReaderContext, requiredTime, run, sortExpression } from './sql.js';

/** Features with their user stories (a feature row holds its stories as a JSON array of paths). */
export type FeaturesReader = Pick<MirrorReader, 'listFeatures' | 'getFeatureDetail'>;

const FEATURE_SORT: Record<FeatureSortField, string> = {
  title: 'f.title COLLATE NOCASE',
  test_count: 'test_count',
  bug_count: 'bug_count',
  last_synced: 'f.synced_at',
};

const FEATURE_COLUMNS = `f.id, f.product_id, f.title, f.description, f.howtofind, f.user_stories, f.synced_at,
  json_array_length(f.user_stories) AS user_story_count,
  (SELECT count(DISTINCT tf.test_id) FROM test_features tf WHERE tf.customer_id = f.customer_id AND tf.feature_id = f.id) AS test_count,
  (SELECT count(*) FROM bugs b WHERE b.customer_id = f.customer_id AND b.feature_id = f.id) AS bug_count`;

const FEATURE_WHERE = `f.customer_id = @customerId AND f.product_id = @productId
  AND (@hasStories IS NULL OR (json_array_length(f.user_stories) > 0) = @hasStories)`;

type FeatureSqlRow = Pick<
  FeatureRow,
  'id' | 'product_id' | 'title' | 'description' | 'howtofind' | 'user_stories' | 'synced_at'
> & {
  user_story_count: number | null;
  test_count: number;
  bug_count: number;
};

function toFeatureRow(r: FeatureSqlRow): FeatureListRow {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    howtofind: r.howtofind,
    userStories: parseJson<unknown[]>(r.user_stories, []).filter((s): s is string => typeof s === 'string'),
    userStoryCount: r.user_story_count ?? 0,
    testCount: r.test_count,
    bugCount: r.bug_count,
    syncedAt: requiredTime(r.synced_at),
  };
}

export function createFeaturesReader(ctx: ReaderContext): FeaturesReader {
  const { db, all, one, count } = ctx;
  return {
    listFeatures(q: FeatureListQuery): Promise<PageOf<FeatureListRow>> {
      return run(() =>
        readTransaction(db, () => {
          const params = {
            productId: q.productId,
            hasStories: q.hasUserStories === undefined ? null : q.hasUserStories ? 1 : 0,
          };
          const total = count(`SELECT count(*) AS n FROM features f WHERE ${FEATURE_WHERE}`, params);
          const rows = all<FeatureSqlRow>(
            `SELECT ${FEATURE_COLUMNS} FROM features f WHERE ${FEATURE_WHERE}
             ${orderBy(sortExpression(FEATURE_SORT, q.sortBy), q.sortOrder, 'f.id')} LIMIT @limit OFFSET @offset`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toFeatureRow) };
        }),
      );
    },

    getFeatureDetail(featureId: number): Promise<FeatureDetailRow | null> {
      return run(() => {
        const r = one<FeatureSqlRow & { product_title: ProductRow['title'] }>(
          `SELECT ${FEATURE_COLUMNS}, p.title AS product_title FROM features f
           JOIN products p ON p.customer_id = f.customer_id AND p.id = f.product_id
           WHERE f.customer_id = @customerId AND f.id = @id`,
          { id: featureId },
        );
        if (!r) return null;
        return { ...toFeatureRow(r), product: { id: r.product_id, title: r.product_title } };
      });
    },
  };
}
