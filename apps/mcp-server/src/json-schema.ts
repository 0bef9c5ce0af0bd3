import { z } from 'zod';

/**
 * zod → the JSON Schema published in `tools/list`. Draft-07, like the SDK's own conversion (the SDK
 * client validates `structuredContent` with Ajv, whose default dialect is draft-07). Every `$ref` is
 * inlined and `$defs`/`definitions` removed: several clients (Gemini CLI, older Cursor builds) cannot
 * resolve references in tool schemas.
 */

export type JsonSchema = { [key: string]: unknown };

export function toToolJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  return inlineRefs(json);
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Replaces each local `$ref` by a copy of its target; throws on a recursive schema (cannot be inlined). */
export function inlineRefs(root: JsonSchema): JsonSchema {
  const defs: Record<string, unknown> = {
    ...(isObject(root.definitions) ? root.definitions : {}),
    ...(isObject(root.$defs) ? root.$defs : {}),
  };

  const resolve = (ref: string, seen: readonly string[]): unknown => {
    const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
    const name = match?.[1];
    if (name === undefined || !(name in defs)) throw new Error(`Cannot inline schema reference '${ref}'`);
    if (seen.includes(name)) throw new Error(`Recursive schema '${name}' cannot be inlined for MCP clients`);
    return visit(defs[name], [...seen, name]);
  };

  const visit = (node: unknown, seen: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((item) => visit(item, seen));
    if (!isObject(node)) return node;
    const out: JsonSchema = {};
    if (typeof node.$ref === 'string') {
      const target = resolve(node.$ref, seen);
      if (isObject(target)) Object.assign(out, target);
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' || key === '$defs' || key === 'definitions') continue;
      // Under `properties` the keys are field names (a field may be called `definitions`).
      out[key] =
        key === 'properties' && isObject(value)
          ? Object.fromEntries(Object.entries(value).map(([field, schema]) => [field, visit(schema, seen)]))
          : visit(value, seen);
    }
    return out;
  };

  return visit(root, []) as JsonSchema;
}

/** Paths of `$ref`/`$defs`/`definitions` keys left anywhere in a schema (empty when clean). */
export function findRefs(node: unknown, path = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => findRefs(item, `${path}[${i}]`));
  if (!isObject(node)) return [];
  return Object.entries(node).flatMap(([key, value]) => {
    if (key === 'properties' && isObject(value)) {
      return Object.entries(value).flatMap(([field, schema]) => findRefs(schema, `${path}.properties.${field}`));
    }
    return [...(key === '$ref' || key === '$defs' || key === 'definitions' ? [`${path}.${key}`] : []), ...findRefs(value, `${path}.${key}`)];
  });
}
