import {
  normalizeFeature,
  normalizeUserStory,
  type Feature,
  type Stored,
  type TestIOApi,
  type UpstreamFeature,
  type UpstreamProduct,
  type UpstreamUserStory,
  type UserStory,
} from '@testio-mcp/domain';
import { errorMessage } from '../abort.js';
import { forEachConcurrent } from '../concurrency.js';
import type { RunContext } from '../run-context.js';

export interface ProductCatalogue {
  readonly features: Array<Stored<Feature, UpstreamFeature>>;
  readonly userStories: Array<Stored<UserStory, UpstreamUserStory>>;
}

function storyKey(value: string): string {
  return value.trim();
}

/**
 * Fetches a product's features (per section where it has sections) and user stories, and links each
 * story to the one feature whose `user_stories` lists its path or title; when none or several do, the
 * link comes from the story itself (`feature_id`, usually absent) or stays null.
 */
export async function fetchProductCatalogue(
  api: TestIOApi,
  product: UpstreamProduct,
): Promise<ProductCatalogue> {
  const [features, stories] = await Promise.all([
    api.listProductFeatures(product),
    api.listProductUserStories(product),
  ]);
  const featuresByStory = new Map<string, Set<number>>();
  const normalizedFeatures = features.map(({ feature, sectionIds }) => {
    const entity = normalizeFeature(feature, product.id, sectionIds);
    for (const story of entity.user_stories) {
      const key = storyKey(story);
      let ids = featuresByStory.get(key);
      if (!ids) featuresByStory.set(key, (ids = new Set()));
      ids.add(entity.id);
    }
    return { entity, raw: feature };
  });
  const userStories = stories.map(({ userStory, sectionId }) => {
    const candidates = new Set<number>();
    for (const key of [userStory.path, userStory.title]) {
      if (!key) continue;
      for (const id of featuresByStory.get(storyKey(key)) ?? []) candidates.add(id);
    }
    const [only] = candidates;
    const featureId = candidates.size === 1 && only !== undefined ? only : (userStory.feature_id ?? null);
    return { entity: normalizeUserStory(userStory, product.id, sectionId, featureId), raw: userStory };
  });
  return { features: normalizedFeatures, userStories };
}

/**
 * Refreshes one product's catalogue inside a run. On failure the product keeps its old catalogue and
 * its old `featuresSyncedAt` (a failed read never looks fresh), and the run records the problem.
 */
export async function refreshProductFeatures(ctx: RunContext, product: UpstreamProduct): Promise<boolean> {
  const outcome = ctx.outcome(product.id);
  try {
    const catalogue = await fetchProductCatalogue(ctx.api, product);
    const { upserted } = await ctx.stores.features.replaceProductFeatures(
      product.id,
      catalogue.features,
      catalogue.userStories,
      ctx.clock.now(),
    );
    ctx.counts.featuresRefreshed += upserted;
    ctx.featuresRefreshed.add(product.id);
    outcome.features = 'refreshed';
    return true;
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    outcome.features = 'failed';
    ctx.fail(
      `Product ${product.id}: features could not be refreshed (${errorMessage(error)}); the previous catalogue is kept`,
      {
        productId: product.id,
        err: error,
      },
    );
    return false;
  }
}

/** Phase FEATURES: per product (up to `productConcurrency` at a time), only when forced or older than the TTL. */
export async function syncFeatures(ctx: RunContext, productIds: readonly number[]): Promise<void> {
  const states = await ctx.stores.products.listProductSyncStates(productIds);
  const now = ctx.clock.now();
  const ttlMs = ctx.options.cacheTtlSeconds * 1000;
  await forEachConcurrent(
    states,
    ctx.options.productConcurrency,
    async (state, index) => {
      const fresh =
        state.featuresSyncedAt !== null && now.getTime() - state.featuresSyncedAt.getTime() <= ttlMs;
      if (ctx.mode !== 'force' && fresh) {
        ctx.outcome(state.id).features = 'fresh';
        return;
      }
      ctx.progress.report(
        {
          phase: 'features',
          productId: state.id,
          productIndex: index,
          productCount: states.length,
          message: `Refreshing features of product ${state.id}`,
        },
        true,
      );
      await refreshProductFeatures(ctx, state.raw);
    },
    ctx.signal,
  );
}
