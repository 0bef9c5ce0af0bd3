import { z } from 'zod';
import { upstreamConnection, upstreamId } from './common.js';

export const upstreamSection = z.looseObject({
  id: upstreamId,
  name: z.string().nullish(),
  connection: upstreamConnection.nullish(),
  test_templates: z.looseObject({ total: z.number(), count: z.number() }).nullish(),
});
export type UpstreamSection = z.infer<typeof upstreamSection>;

export const upstreamProduct = z.looseObject({
  id: upstreamId,
  name: z.string(),
  description: z.string().nullish(),
  /** Not in the blueprint's MSON, but every real payload carries it. Unknown values pass through. */
  type: z.string().nullish(),
  default_section_id: upstreamId.nullish(),
  sections: z.array(upstreamSection).nullish(),
  sections_with_default: z.array(upstreamSection).nullish(),
  connection: upstreamConnection.nullish(),
  remote_device_testing: z.boolean().nullish(),
});
export type UpstreamProduct = z.infer<typeof upstreamProduct>;

export const productListResponse = z.looseObject({ products: z.array(upstreamProduct) });
export const productResponse = z.looseObject({ product: upstreamProduct });
