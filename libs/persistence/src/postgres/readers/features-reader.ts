import type {
  FeatureDetailRow,
  FeatureListQuery,
  FeatureListRow,
  FeatureSortField,
  PageOf,
} from '@testio-mcp/domain';
import type { FeaturesReader } from '../../readers/features-reader.js';
import {
  jsonValue,
  nocase,
  orderBy,
  type PgReaderContext,
  requiredTime,
  run,
  sortExpression,
} from './sql.js';

const FEATURE_SORT: Record<FeatureSortField, string> = {
  title: nocase('f.title'),
  test_count: 'test_count',
  bug_count: 'bug_count',
  last_synced: 'f.synced_at',
};

/** SQLite's `json_array_length`: the length of a JSON array, 0 for any other JSON value. */
const STORY_COUNT = `CASE WHEN json_typeof(f.user_stories::json) = 'array' THEN json_array_length(f.user_stories::json) ELSE 0 END`;

const FEATURE_COLUMNS = `f.id, f.product_id, f.title, f.description, f.howtofind, f.user_stories, f.synced_at,
  ${STORY_COUNT} AS user_story_count,
  (SELECT count(DISTINCT tf.test_id) FROM test_features tf WHERE tf.customer_id = f.customer_id AND tf.feature_id = f.id) AS test_count,
  (SELECT count(*) FROM bugs b WHERE b.customer_id = f.customer_id AND b.feature_id = f.id) AS bug_count`;

const FEATURE_WHERE = `f.customer_id = @customerId AND f.product_id = @productId::int
  AND (@hasStories::boolean IS NULL OR (${STORY_COUNT} > 0) = @hasStories::boolean)`;

interface FeatureSqlRow {
  id: number;
  product_id: number;
  title: string;
  description: string | null;
  howtofind: string | null;
  user_stories: unknown;
  synced_at: Date;
  user_story_count: number | null;
  test_count: number;
  bug_count: number;
}

function toFeatureRow(r: FeatureSqlRow): FeatureListRow {
  const stories = jsonValue<unknown>(r.user_stories, []);
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    howtofind: r.howtofind,
    userStories: (Array.isArray(stories) ? stories : []).filter((s): s is string => typeof s === 'string'),
    userStoryCount: Number(r.user_story_count ?? 0),
    testCount: Number(r.test_count),
    bugCount: Number(r.bug_count),
    syncedAt: requiredTime(r.synced_at),
  };
}

export function createPgFeaturesReader(ctx: PgReaderContext): FeaturesReader {
  return {
    listFeatures(q: FeatureListQuery): Promise<PageOf<FeatureListRow>> {
      return run(() =>
        ctx.snapshot(async ({ all, count }) => {
          const params = { productId: q.productId, hasStories: q.hasUserStories ?? null };
          const total = await count(`SELECT count(*) AS n FROM features f WHERE ${FEATURE_WHERE}`, params);
          const rows = await all<FeatureSqlRow>(
            // OFFSET 0 keeps the inner query a subquery: pulled up, its count subqueries were copied
            // into both terms of the ORDER BY and ran twice per feature when sorting by a count.
            `SELECT * FROM (SELECT ${FEATURE_COLUMNS} FROM features f WHERE ${FEATURE_WHERE} OFFSET 0) f
             ${orderBy(sortExpression(FEATURE_SORT, q.sortBy), q.sortOrder, 'f.id')} LIMIT @limit::int OFFSET @offset::int`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toFeatureRow) };
        }),
      );
    },

    getFeatureDetail(featureId: number): Promise<FeatureDetailRow | null> {
      return run(async () => {
        const r = await ctx.q.one<FeatureSqlRow & { product_title: string }>(
          `SELECT ${FEATURE_COLUMNS}, p.title AS product_title FROM features f
           JOIN products p ON p.customer_id = f.customer_id AND p.id = f.product_id
           WHERE f.customer_id = @customerId AND f.id = @id::int`,
          { id: featureId },
        );
        if (!r) return null;
        return { ...toFeatureRow(r), product: { id: r.product_id, title: r.product_title } };
      });
    },
  };
}
