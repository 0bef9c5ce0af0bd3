import { z } from 'zod';

/**
 * zod → the JSON Schema published in `tools/list`. Draft-07, like the SDK's own conversion (the SDK
 * client validates `structuredContent` with Ajv, whose default dialect is draft-07). Every `$ref` is
 * inlined and `$defs`/`definitions` removed: several clients (Gemini CLI, older Cursor builds) cannot
 * resolve references in tool schemas. A `type` array (`["string", "null"]`, zod's nullable) is split into
 * `anyOf` branches of one type each: clients that map tool schemas onto a single-`type` dialect (the
 * OpenAPI subset behind Gemini function declarations) reject or flatten type arrays — the MCP Inspector's
 * `--strict` lint flags them.
 *
 * Every client downloads the whole `tools/list` on connect and many put all of it in the model's
 * context, so the published schemas are kept lean (ADR 0014): integer bounds that only restate
 * JavaScript's safe-integer range are dropped everywhere, and output schemas keep descriptions on their
 * top-level fields only (docs/tools.md shows those; the nested field names speak for themselves).
 */

export type JsonSchema = { [key: string]: unknown };

export function toToolJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  options: { readonly allDescriptions?: boolean } = {},
): JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as JsonSchema;
  const portable = flattenNestedUnions(dropSafeIntegerBounds(splitTypeUnions(inlineRefs(json))));
  // `allDescriptions`: the schema as written, for the rule that every field is described (tools.test.ts).
  return io === 'output' && !options.allDescriptions ? keepTopLevelDescriptions(portable) : portable;
}

/** Keywords whose values are data, not schemas: never rewritten. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'required']);

/**
 * Rewrites every schema node of `root` with `edit`, which gets the node and whether it is a field of
 * the root object. Field names under `properties` are never mistaken for keywords.
 */
function mapSchemaNodes(
  root: JsonSchema,
  edit: (node: JsonSchema, isTopLevelField: boolean) => JsonSchema,
): JsonSchema {
  const visit = (node: unknown, isTopLevelField: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item) => visit(item, false));
    if (!isObject(node)) return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (DATA_KEYWORDS.has(key)) out[key] = value;
      else if (key === 'properties' && isObject(value)) {
        out[key] = Object.fromEntries(
          Object.entries(value).map(([field, schema]) => [field, visit(schema, node === root)]),
        );
      } else out[key] = visit(value, false);
    }
    return edit(out, isTopLevelField);
  };
  return visit(root, false) as JsonSchema;
}

/** zod's `.int()` states ±2^53-1 as bounds: true of every integer we send, and 50 bytes each. */
export function dropSafeIntegerBounds(root: JsonSchema): JsonSchema {
  return mapSchemaNodes(root, (node) => {
    const { minimum, maximum, ...rest } = node;
    return {
      ...rest,
      ...(minimum === undefined || minimum === Number.MIN_SAFE_INTEGER ? {} : { minimum }),
      ...(maximum === undefined || maximum === Number.MAX_SAFE_INTEGER ? {} : { maximum }),
    };
  });
}

/** `{anyOf: [{anyOf: [A, B]}, C]}` → `{anyOf: [A, B, C]}` (the same values; zod nests unions of unions). */
export function flattenNestedUnions(root: JsonSchema): JsonSchema {
  return mapSchemaNodes(root, (node) => {
    if (!Array.isArray(node.anyOf)) return node;
    const branches = node.anyOf.flatMap((branch: unknown) =>
      isObject(branch) && Array.isArray(branch.anyOf) && Object.keys(branch).length === 1
        ? (branch.anyOf as unknown[])
        : [branch],
    );
    return { ...node, anyOf: branches };
  });
}

/** Drops `description` below the root object's own fields (an output schema tells shape, not prose). */
export function keepTopLevelDescriptions(root: JsonSchema): JsonSchema {
  return mapSchemaNodes(root, (node, isTopLevelField) => {
    if (isTopLevelField || !('description' in node)) return node;
    const { description: _dropped, ...rest } = node;
    return rest;
  });
}

/** Keywords that only constrain values of one JSON type; they move into that type's branch. */
const KEYWORDS_BY_TYPE: Record<string, readonly string[]> = {
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  array: ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'],
  object: [
    'properties',
    'required',
    'additionalProperties',
    'propertyNames',
    'minProperties',
    'maxProperties',
    'patternProperties',
  ],
  boolean: [],
  null: [],
};

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = jsonTypeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Rewrites every `{type: [A, B], ...}` as `{anyOf: [{type: A, ...}, {type: B, ...}], description, ...}`. */
export function splitTypeUnions(root: JsonSchema): JsonSchema {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isObject(node)) return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] =
        key === 'properties' && isObject(value)
          ? Object.fromEntries(Object.entries(value).map(([field, schema]) => [field, visit(schema)]))
          : visit(value);
    }
    if (!Array.isArray(out.type)) return out;
    const types = out.type.filter((t): t is string => typeof t === 'string');
    if (types.length === 1) return { ...out, type: types[0] };
    const typed = new Set(Object.values(KEYWORDS_BY_TYPE).flat());
    const common: JsonSchema = {};
    for (const [key, value] of Object.entries(out)) {
      if (key !== 'type' && key !== 'enum' && key !== 'const' && !typed.has(key)) common[key] = value;
    }
    const branches = types.map((type) => {
      const branch: JsonSchema = { type };
      for (const key of KEYWORDS_BY_TYPE[type] ?? []) if (key in out) branch[key] = out[key];
      if (Array.isArray(out.enum)) branch.enum = out.enum.filter((v) => matchesType(v, type));
      if ('const' in out && matchesType(out.const, type)) branch.const = out.const;
      return branch;
    });
    const kept = branches.filter((b) => !Array.isArray(b.enum) || b.enum.length > 0);
    const existing = Array.isArray(common.anyOf) ? common.anyOf : undefined;
    if (existing) {
      // Already a union (rare): both must hold, so keep the old one under allOf.
      delete common.anyOf;
      return { ...common, allOf: [{ anyOf: existing }, { anyOf: kept }] };
    }
    return { ...common, anyOf: kept };
  };
  return visit(root) as JsonSchema;
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
      return Object.entries(value).flatMap(([field, schema]) =>
        findRefs(schema, `${path}.properties.${field}`),
      );
    }
    return [
      ...(key === '$ref' || key === '$defs' || key === 'definitions' ? [`${path}.${key}`] : []),
      ...findRefs(value, `${path}.${key}`),
    ];
  });
}
