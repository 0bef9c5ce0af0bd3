import { z } from 'zod';
import { idKeyNameRef, idNameRef, upstreamId, upstreamTimestamp } from './common.js';
import { upstreamProduct, upstreamSection } from './product.js';

export const upstreamTestEnvironment = z.looseObject({
  id: upstreamId,
  title: z.string().nullish(),
  url: z.string().nullish(),
  username: z.string().nullish(),
  password: z.string().nullish(),
  access: z.string().nullish(),
  proxy: z.boolean().nullish(),
  allow_orders: z.boolean().nullish(),
  access_type: z.string().nullish(),
  environment_test_information: z.looseObject({}).nullish(),
  binary_app: z.looseObject({}).nullish(),
});
export type UpstreamTestEnvironment = z.infer<typeof upstreamTestEnvironment>;

/** A feature as copied into one test: `id` is the per-test copy, `feature_id` the global feature. */
export const upstreamTestFeature = z.looseObject({
  id: upstreamId,
  feature_id: upstreamId,
  title: z.string().nullish(),
  description: z.string().nullish(),
  location: z.string().nullish(),
  howtofind: z.string().nullish(),
  target_idx: z.string().nullish(),
  enable_default: z.boolean().nullish(),
  enable_content: z.boolean().nullish(),
  enable_visual: z.boolean().nullish(),
  custom_report_configurations: z.array(z.looseObject({})).nullish(),
  user_stories: z.array(z.union([z.string(), z.looseObject({ id: upstreamId, path: z.string() })])).nullish(),
});
export type UpstreamTestFeature = z.infer<typeof upstreamTestFeature>;

export const upstreamRequirement = z.looseObject({
  id: upstreamId.nullish(),
  category: idKeyNameRef.nullish(),
  vendor: idNameRef.nullish(),
  devices: z.array(idNameRef).nullish(),
  operating_system: idKeyNameRef.nullish(),
  min_operating_system_version: idNameRef.nullish(),
  max_operating_system_version: idNameRef.nullish(),
  browsers: z.array(idKeyNameRef).nullish(),
  input_devices: z.array(z.looseObject({ id: upstreamId, input_type: z.string().nullish() })).nullish(),
  browser_based: z.boolean().nullish(),
  gaming: z.boolean().nullish(),
});
export type UpstreamRequirement = z.infer<typeof upstreamRequirement>;

export const upstreamReview = z.looseObject({
  status: z.string().nullish(),
  instruction_comment: z.string().nullish(),
  test_environment_comment: z.string().nullish(),
  feature_comment: z.string().nullish(),
  bug_type_comment: z.string().nullish(),
  reviewed_at: upstreamTimestamp.nullish(),
});

export const upstreamExploratoryTest = z.looseObject({
  id: upstreamId,
  title: z.string().nullish(),
  test_title: z.string().nullish(),
  /** Kept open: a status TestIO adds later must not make a whole page unreadable. */
  status: z.string(),
  testing_type: z.string().nullish(),
  test_environment: upstreamTestEnvironment.nullish(),
  features: z.array(upstreamTestFeature).nullish(),
  goal: z.string().nullish(),
  goal_text: z.string().nullish(),
  out_of_scope: z.string().nullish(),
  out_of_scope_text: z.string().nullish(),
  instructions: z.string().nullish(),
  instructions_text: z.string().nullish(),
  attachments: z.array(z.looseObject({})).nullish(),
  requirements: z.array(upstreamRequirement).nullish(),
  report_language: z.string().nullish(),
  section: upstreamSection.nullish(),
  product: upstreamProduct.nullish(),
  enable_low: z.boolean().nullish(),
  enable_high: z.boolean().nullish(),
  enable_critical: z.boolean().nullish(),
  allow_device_clouds_test_scenario: z.boolean().nullish(),
  created_by: z.string().nullish(),
  submitted_by: z.string().nullish(),
  start_at: upstreamTimestamp.nullish(),
  end_at: upstreamTimestamp.nullish(),
  allowed_bug_types: z.array(z.string()).nullish(),
  reviews: z.array(upstreamReview).nullish(),
  review_status: z.string().nullish(),
  demo: z.boolean().nullish(),
});
export type UpstreamExploratoryTest = z.infer<typeof upstreamExploratoryTest>;

export const exploratoryTestResponse = z.looseObject({ exploratory_test: upstreamExploratoryTest });
export const exploratoryTestListResponse = z.looseObject({
  exploratory_tests: z.array(upstreamExploratoryTest),
});
