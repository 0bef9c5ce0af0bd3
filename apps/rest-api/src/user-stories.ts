import { FeatureNotFoundError } from '@testio-mcp/domain';
import {
  getFeatureSummaryInputSchema,
  listFeaturesInputSchema,
  parseInput,
  type Services,
} from '@testio-mcp/services';
import type { UserStoriesResponse } from './dto/user-stories.js';

/**
 * `GET /api/products/{id}/user_stories`: the reference's endpoint, whose tool was folded into
 * `list_features` + `get_feature_summary`. One feature: its summary; a page of features: one
 * `listFeatureUserStories` call (one reader query), shaped as the reference did.
 */
export async function listUserStories(
  services: Pick<Services, 'listFeatureUserStories' | 'getFeatureSummary'>,
  args: {
    product_id: number;
    feature_id?: number | undefined;
    page?: number | undefined;
    per_page?: number | undefined;
  },
): Promise<UserStoriesResponse> {
  if (args.feature_id !== undefined) {
    const feature = await services.getFeatureSummary(
      parseInput(getFeatureSummaryInputSchema, { feature_id: args.feature_id }, 'get_feature_summary'),
    );
    if (feature.product.id !== args.product_id) {
      throw new FeatureNotFoundError(args.feature_id, {
        message: `Feature ID '${args.feature_id}' not found in product ${args.product_id}`,
        reason: `The feature belongs to product ${feature.product.id}`,
      });
    }
    const stories = feature.user_stories.map((title) => ({
      title,
      feature_id: feature.id,
      feature_title: feature.title,
    }));
    return {
      product_id: args.product_id,
      feature_id: feature.id,
      user_stories: stories,
      total: stories.length,
      pagination: {
        page: 1,
        per_page: 1,
        offset: 0,
        start_index: 0,
        end_index: 0,
        total_count: 1,
        has_more: false,
      },
      truncated_feature_ids: feature.user_story_count > stories.length ? [feature.id] : [],
      data_as_of: feature.data_as_of,
      stale: feature.stale,
      ...(feature.warnings?.length ? { warnings: feature.warnings } : {}),
    };
  }
  const page = await services.listFeatureUserStories(
    parseInput(
      listFeaturesInputSchema,
      { product_id: args.product_id, has_user_stories: true, page: args.page, per_page: args.per_page ?? 20 },
      'list_features',
    ),
  );
  const stories = page.features.flatMap((f) =>
    f.user_stories.map((title) => ({ title, feature_id: f.id, feature_title: f.title })),
  );
  const warnings = [...(page.warnings ?? []), ...page.features.flatMap((f) => f.warnings ?? [])];
  return {
    product_id: page.product_id,
    feature_id: null,
    user_stories: stories,
    total: stories.length,
    pagination: page.pagination,
    truncated_feature_ids: page.features
      .filter((f) => f.user_story_count > f.user_stories.length)
      .map((f) => f.id),
    data_as_of: page.data_as_of,
    stale: page.stale || page.features.some((f) => f.stale),
    ...(warnings.length ? { warnings: [...new Set(warnings)] } : {}),
  };
}
