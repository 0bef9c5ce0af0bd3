import { z } from 'zod';

/** TestIO ids are JSON integers; a few old payloads carry them as numeric strings, which we accept. */
export const upstreamId = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+$/, 'expected a numeric id')
    .transform((s) => Number(s)),
]);

/** ISO 8601 with an offset (`2021-04-08T13:00:00+02:00`) or `Z`. Naive timestamps are rejected. */
export const upstreamTimestamp = z
  .string()
  .regex(/(Z|[+-]\d{2}:?\d{2})$/, 'timestamp must carry a UTC offset')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a valid ISO 8601 timestamp');

export const namedRef = z.looseObject({ name: z.string().nullish() });
export const idNameRef = z.looseObject({ id: upstreamId, name: z.string().nullish() });
export const idKeyNameRef = z.looseObject({
  id: upstreamId,
  key: z.string().nullish(),
  name: z.string().nullish(),
});

export const upstreamConnection = z.looseObject({
  id: upstreamId,
  name: z.string().nullish(),
  url: z.string().nullish(),
  fixed: z.boolean().nullish(),
});

/** `{"error": "..."}`: the only documented error body shape. */
export const upstreamErrorBody = z.looseObject({ error: z.string() });
