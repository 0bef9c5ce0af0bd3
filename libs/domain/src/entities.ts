import { z } from 'zod';
import { BUG_STATUSES, REJECTION_REASON_KEYS, USER_TYPES } from './vocabulary.js';

/**
 * The entities every surface shows. Field names are snake_case because they are the public vocabulary
 * of the MCP tools and the REST API (the reference's names); TypeScript code reads them as they are.
 */

const nullableText = z.string().nullable();
const isoTimestamp = z.string().describe('ISO 8601 timestamp in UTC (`2025-01-31T12:00:00.000Z`)');

export const sectionSchema = z.object({
  id: z.number().int(),
  product_id: z.number().int(),
  name: z.string(),
});
export type Section = z.infer<typeof sectionSchema>;

export const productSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  type: z.string().nullable(),
  description: nullableText,
  default_section_id: z.number().int().nullable(),
  has_sections: z.boolean(),
  sections: z.array(sectionSchema),
});
export type Product = z.infer<typeof productSchema>;

export const featureSchema = z.object({
  id: z.number().int(),
  product_id: z.number().int(),
  title: z.string(),
  description: nullableText,
  howtofind: nullableText,
  section_ids: z.array(z.number().int()),
  user_stories: z.array(z.string()),
});
export type Feature = z.infer<typeof featureSchema>;

export const userStorySchema = z.object({
  id: z.number().int(),
  product_id: z.number().int(),
  section_id: z.number().int().nullable(),
  /** The API does not link stories to features; filled only when a title match is unambiguous. */
  feature_id: z.number().int().nullable(),
  title: z.string(),
  path: z.string(),
});
export type UserStory = z.infer<typeof userStorySchema>;

export const testEnvironmentSchema = z.object({
  id: z.number().int(),
  title: nullableText,
  url: nullableText,
});
export type TestEnvironment = z.infer<typeof testEnvironmentSchema>;

export const testFeatureSchema = z.object({
  id: z.number().int().describe('The per-test copy of the feature'),
  test_id: z.number().int(),
  feature_id: z.number().int().describe('The product-level feature'),
  title: nullableText,
  description: nullableText,
  howtofind: nullableText,
  user_stories: z.array(z.string()),
  enable_default: z.boolean().nullable(),
  enable_content: z.boolean().nullable(),
  enable_visual: z.boolean().nullable(),
});
export type TestFeature = z.infer<typeof testFeatureSchema>;

/** One requirement row of a test: the platform testers were asked to cover. */
export const testPlatformSchema = z.object({
  test_id: z.number().int(),
  category: nullableText,
  operating_system: nullableText,
  min_version: nullableText,
  max_version: nullableText,
  browsers: z.array(z.string()),
});
export type TestPlatform = z.infer<typeof testPlatformSchema>;

export const testSchema = z.object({
  id: z.number().int(),
  product_id: z.number().int(),
  section_id: z.number().int().nullable(),
  title: z.string(),
  status: z.string(),
  testing_type: nullableText,
  goal: nullableText,
  instructions: nullableText,
  out_of_scope: nullableText,
  review_status: nullableText,
  start_at: isoTimestamp.nullable(),
  end_at: isoTimestamp.nullable(),
  created_by: nullableText,
  submitted_by: nullableText,
  enable_low: z.boolean().nullable(),
  enable_high: z.boolean().nullable(),
  enable_critical: z.boolean().nullable(),
  environment: testEnvironmentSchema.nullable(),
  features: z.array(testFeatureSchema),
  platforms: z.array(testPlatformSchema),
});
export type Test = z.infer<typeof testSchema>;

export const bugDeviceSchema = z.object({
  category: nullableText,
  vendor: nullableText,
  device: nullableText,
  operating_system: nullableText,
  browsers: z.array(z.string()),
});
export type BugDevice = z.infer<typeof bugDeviceSchema>;

export const bugSchema = z.object({
  id: z.number().int(),
  test_id: z.number().int(),
  product_id: z.number().int().nullable(),
  title: z.string(),
  severity: z.string().nullable(),
  /** Enriched status: `auto_accepted` is split out of the API's `accepted`. */
  status: z.enum(BUG_STATUSES).nullable(),
  known: z.boolean(),
  rejection_reason: z.enum(REJECTION_REASON_KEYS as [string, ...string[]]).nullable(),
  reported_at: isoTimestamp.nullable(),
  /** The tester who reported the bug. */
  author: nullableText,
  test_feature_id: z.number().int().nullable(),
  feature_id: z.number().int().nullable(),
  language: nullableText,
  location: nullableText,
  steps: nullableText,
  actual_result: nullableText,
  expected_result: nullableText,
  devices: z.array(bugDeviceSchema),
});
export type Bug = z.infer<typeof bugSchema>;

export const userSchema = z.object({
  username: z.string(),
  user_type: z.enum(USER_TYPES),
});
export type User = z.infer<typeof userSchema>;
