import { z } from 'zod';
import { upstreamId } from './common.js';

/** A product-level feature. `user_stories` are story paths: the API gives them no ids here. */
export const upstreamFeature = z.looseObject({
  id: upstreamId,
  title: z.string(),
  description: z.string().nullish(),
  howtofind: z.string().nullish(),
  user_stories: z
    .array(
      z.union([z.string(), z.looseObject({ id: upstreamId, path: z.string(), title: z.string().nullish() })]),
    )
    .nullish(),
});
export type UpstreamFeature = z.infer<typeof upstreamFeature>;

export const featureListResponse = z.looseObject({ features: z.array(upstreamFeature) });

/** User stories come without a feature id (the API's linkage gap); `feature_id` only in newer forms. */
export const upstreamUserStory = z.looseObject({
  id: upstreamId,
  path: z.string(),
  title: z.string().nullish(),
  feature_id: upstreamId.nullish(),
});
export type UpstreamUserStory = z.infer<typeof upstreamUserStory>;

export const userStoryListResponse = z.looseObject({ user_stories: z.array(upstreamUserStory) });
