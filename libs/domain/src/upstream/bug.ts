import { z } from 'zod';
import { idNameRef, namedRef, upstreamId, upstreamTimestamp } from './common.js';

export const upstreamBugComment = z.looseObject({
  id: upstreamId.nullish(),
  body: z.string().nullish(),
  author: namedRef.nullish(),
});

export const upstreamBugDevice = z.looseObject({
  id: upstreamId.nullish(),
  category: namedRef.nullish(),
  vendor: namedRef.nullish(),
  /** A single object despite the plural key. */
  devices: namedRef.nullish(),
  operating_system: z.looseObject({ id: upstreamId.nullish(), name: z.string().nullish() }).nullish(),
  browsers: z.array(namedRef).nullish(),
});

export const upstreamBug = z.looseObject({
  id: upstreamId,
  title: z.string().nullish(),
  /** Functional severity (`low`/`high`/`critical`) or the non-functional type (`visual`/`content`/`custom`). */
  severity: z.string().nullish(),
  status: z.string().nullish(),
  auto_accepted: z.boolean().nullish(),
  known: z.boolean().nullish(),
  language: z.string().nullish(),
  location: z.string().nullish(),
  expected_result: z.string().nullish(),
  actual_result: z.string().nullish(),
  /** An array on the live API; the blueprint documents a string. Both are accepted. */
  steps: z.union([z.array(z.string()), z.string()]).nullish(),
  reported_at: upstreamTimestamp.nullish(),
  created_at: upstreamTimestamp.nullish(),
  exported_at: upstreamTimestamp.nullish(),
  author: namedRef.nullish(),
  test: z.looseObject({ id: upstreamId, title: z.string().nullish() }).nullish(),
  test_feature: z.looseObject({ id: upstreamId.nullish(), feature_id: upstreamId.nullish() }).nullish(),
  feature: z.looseObject({ id: upstreamId.nullish(), title: z.string().nullish() }).nullish(),
  product: idNameRef.nullish(),
  comments: z.array(upstreamBugComment).nullish(),
  devices: z.array(upstreamBugDevice).nullish(),
  attachments: z.array(z.looseObject({ id: upstreamId.nullish(), url: z.string().nullish() })).nullish(),
});
export type UpstreamBug = z.infer<typeof upstreamBug>;

export const bugListResponse = z.looseObject({ bugs: z.array(upstreamBug) });
export const bugResponse = z.looseObject({ bug: upstreamBug });

export const upstreamRejectReason = z.looseObject({
  key: z.string(),
  name: z.string().nullish(),
  default_comment: z.string().nullish(),
});
export const rejectReasonListResponse = z.looseObject({ reject_reasons: z.array(upstreamRejectReason) });
