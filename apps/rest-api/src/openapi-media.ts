/**
 * What tsoa cannot say about responses that are not JSON. A controller that answers bytes returns a
 * `Readable`, which tsoa writes as `{ type: string, format: byte }` (base64 text) under every media
 * type the route `@Produces`, and as one branch of an `anyOf` when the route also answers JSON. Here:
 * images are `format: binary` (raw bytes, as served), HTML is a string, JSON keeps only its own schema,
 * and each such media type gets an example.
 */

type Schema = Record<string, unknown>;
interface MediaType {
  schema?: Schema;
  example?: unknown;
}
interface Operation {
  responses?: Record<string, { content?: Record<string, MediaType> }>;
}

const isStream = (s: unknown): boolean =>
  typeof s === 'object' &&
  s !== null &&
  (s as Schema)['type'] === 'string' &&
  (s as Schema)['format'] === 'byte';

const EXAMPLES: Record<string, string> = {
  'text/html':
    '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Quality report: Shop</title><style>…</style></head>\n<body>\n<h1>Quality report: Shop</h1>\n<figure role="img" aria-label="Line chart …"><svg …>…</svg></figure>\n…\n</body>\n</html>\n',
  'image/svg+xml':
    '<svg xmlns="http://www.w3.org/2000/svg" width="800" height="450" viewBox="0 0 800 450">…</svg>',
};

function fixMedia(media: string, entry: MediaType): MediaType {
  const schema = entry.schema;
  if (!schema) return entry;
  const anyOf = Array.isArray(schema['anyOf']) ? (schema['anyOf'] as unknown[]) : null;
  const streamed = isStream(schema) || (anyOf?.some(isStream) ?? false);
  if (!streamed) return entry;
  if (media === 'application/json') {
    const rest = (anyOf ?? []).filter((s) => !isStream(s));
    return rest.length === 1 ? { ...entry, schema: rest[0] as Schema } : entry;
  }
  const example = EXAMPLES[media];
  return {
    ...entry,
    schema: media.startsWith('image/') ? { type: 'string', format: 'binary' } : { type: 'string' },
    ...(example !== undefined ? { example } : {}),
  };
}

/** The OpenAPI document with the byte-stream responses described as what they are. */
export function describeStreamedResponses<T extends Record<string, unknown>>(spec: T): T {
  const paths = (spec['paths'] ?? {}) as Record<string, Record<string, Operation>>;
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      for (const response of Object.values(operation.responses ?? {})) {
        const content = response.content;
        if (!content) continue;
        for (const [media, entry] of Object.entries(content)) content[media] = fixMedia(media, entry);
      }
    }
  }
  return spec;
}
