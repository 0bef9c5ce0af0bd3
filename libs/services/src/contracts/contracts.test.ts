import { describe, expect, it } from 'vitest';
import { toJSONSchema, type z } from 'zod';
import { InvalidInputError } from '@testio-mcp/domain';
import * as contracts from './index.js';
import {
  REQUIRED_ARGUMENT_MESSAGE,
  getTestSummaryInputSchema,
  listBugsInputSchema,
  listProductsInputSchema,
  listTestsInputSchema,
  parseInput,
  searchInputSchema,
  syncDataInputSchema,
} from './index.js';

function invalid(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

/** Fields (at any depth) of a JSON Schema without a description. */
function undocumented(schema: unknown, path = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as {
    properties?: Record<string, unknown>;
    items?: unknown;
    additionalProperties?: unknown;
    anyOf?: unknown[];
  };
  const out: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (!(child as { description?: string }).description?.trim()) out.push(`${path}${key}`);
    out.push(...undocumented(child, `${path}${key}.`));
  }
  if (node.items) out.push(...undocumented(node.items, `${path}[].`));
  if (typeof node.additionalProperties === 'object')
    out.push(...undocumented(node.additionalProperties, `${path}{}.`));
  for (const option of node.anyOf ?? []) out.push(...undocumented(option, path));
  return out;
}

/** Every operation's schemas, found by name (`<op>InputSchema`, `<op>OutputSchema`), so a new one is checked. */
const schemas = Object.entries(contracts).filter(([name]) => /(Input|Output)Schema$/.test(name)) as [
  string,
  z.ZodType,
][];

describe('operation contracts', () => {
  it('pairs every input schema with an output schema', () => {
    const names = new Set(schemas.map(([name]) => name));
    const inputs = [...names].filter((name) => name.endsWith('InputSchema'));
    expect(inputs.length).toBeGreaterThan(0);
    for (const input of inputs) expect(names, input).toContain(input.replace(/InputSchema$/, 'OutputSchema'));
  });

  it('gives JSON Schemas free of $ref and a description on every field', () => {
    for (const [name, schema] of schemas) {
      const io = name.endsWith('InputSchema') ? 'input' : 'output';
      const json = toJSONSchema(schema, { io }) as { properties?: Record<string, { description?: string }> };
      expect(JSON.stringify(json), name).not.toContain('$ref');
      if (io === 'input') {
        for (const [field, property] of Object.entries(json.properties ?? {})) {
          expect(property.description, `${name}.${field}`).toBeTruthy();
        }
      } else expect(undocumented(json), name).toEqual([]);
    }
  });

  it('names a missing required argument and says it is required', () => {
    const error = invalid(() => parseInput(listTestsInputSchema, {}, 'list_tests'));
    expect(error.field).toBe('product_id');
    expect(error.issues).toEqual([{ field: 'product_id', message: REQUIRED_ARGUMENT_MESSAGE }]);
    expect(error.toUserText()).toBe(
      [
        "❌ Missing required argument 'product_id'",
        'ℹ️ list_tests requires product_id: Product id (from list_products), e.g. 598.',
        '💡 Call list_tests again with product_id set',
      ].join('\n'),
    );
    // No arguments object at all, a string field, and without an operation name.
    expect(invalid(() => parseInput(getTestSummaryInputSchema, undefined, 'get_test_summary')).message).toBe(
      "Missing required argument 'test_id'",
    );
    const query = invalid(() => parseInput(searchInputSchema, { limit: 5 }));
    expect(query.message).toBe("Missing required argument 'query'");
    expect(query.reason).toMatch(/^This operation requires query: Words to find/);
    // The schema itself says so too, for surfaces that parse without parseInput.
    const direct = listTestsInputSchema.safeParse({});
    expect(direct.success).toBe(false);
    expect(direct.error?.issues[0]?.message).toBe(REQUIRED_ARGUMENT_MESSAGE);
  });

  it('reports a missing argument first, and lists the other problems', () => {
    const error = invalid(() => parseInput(listTestsInputSchema, { per_page: 500 }, 'list_tests'));
    expect(error.message).toBe("Missing required argument 'product_id'");
    expect(error.reason).toContain('Other problems: per_page: must be at most 200');
    expect(error.issues.map((i) => i.field)).toEqual(['product_id', 'per_page']);
  });

  it('keeps the type error for a required id given with the wrong type', () => {
    const error = invalid(() => parseInput(getTestSummaryInputSchema, { test_id: null }, 'get_test_summary'));
    expect(error.message).toBe('Invalid argument \'test_id\': expected an id such as 598 or "598", got null');
    expect(invalid(() => parseInput(getTestSummaryInputSchema, { test_id: true })).message).toContain(
      'got boolean',
    );
  });

  it('accepts ids as numbers, numeric strings and whole floats', () => {
    expect(getTestSummaryInputSchema.parse({ test_id: 598 }).test_id).toBe(598);
    expect(getTestSummaryInputSchema.parse({ test_id: '598' }).test_id).toBe(598);
    expect(getTestSummaryInputSchema.parse({ test_id: 598.0 }).test_id).toBe(598);
    for (const bad of [598.5, -1, 0, 'abc', '']) {
      expect(getTestSummaryInputSchema.safeParse({ test_id: bad }).success, String(bad)).toBe(false);
    }
  });

  it('accepts id lists in every form AI clients send', () => {
    for (const form of [
      598,
      '598',
      [598],
      ['598'],
      '598,599',
      '598, 599',
      '[598, 599]',
      '["598", "599"]',
      [598, '599'],
    ]) {
      const ids = listBugsInputSchema.parse({ test_ids: form }).test_ids;
      expect(ids[0], JSON.stringify(form)).toBe(598);
    }
    expect(listBugsInputSchema.parse({ test_ids: '598, 599, 598' }).test_ids).toEqual([598, 599]);
    expect(syncDataInputSchema.parse({ product_ids: '' }).product_ids).toBeUndefined();
    expect(syncDataInputSchema.parse({ product_ids: [] }).product_ids).toBeUndefined();
  });

  it('requires at least one test id for list_bugs, naming the field', () => {
    const missing = invalid(() => parseInput(listBugsInputSchema, {}, 'list_bugs'));
    expect(missing.field).toBe('test_ids');
    expect(missing.toUserText()).toMatch(
      /^❌ Missing required argument 'test_ids'\nℹ️ At least one id is required/,
    );
    for (const empty of [null, [], '', '[]']) {
      const error = invalid(() => parseInput(listBugsInputSchema, { test_ids: empty }, 'list_bugs'));
      expect(error.field).toBe('test_ids');
      expect(error.toUserText()).toMatch(/^❌ Invalid argument 'test_ids': At least one id is required/);
    }
    expect(invalid(() => parseInput(listBugsInputSchema, { test_ids: [1, 'x'] })).field).toBe('test_ids');
  });

  it('validates list vocabularies case-insensitively and lists the valid values', () => {
    expect(listTestsInputSchema.parse({ product_id: 1, statuses: 'Running, LOCKED' }).statuses).toEqual([
      'running',
      'locked',
    ]);
    expect(listTestsInputSchema.parse({ product_id: 1, statuses: '["archived"]' }).statuses).toEqual([
      'archived',
    ]);
    const error = invalid(() =>
      parseInput(listTestsInputSchema, { product_id: 1, statuses: ['running', 'bogus'] }),
    );
    expect(error.field).toBe('statuses');
    expect(error.message).toContain("'bogus'");
    expect(error.message).toContain('customer_finalized');
  });

  it('bounds per_page (1-200, products 1-100), coerces numeric strings and leaves the default to the settings', () => {
    expect(listTestsInputSchema.parse({ product_id: 1 })).toMatchObject({
      page: 1,
      offset: 0,
      sort_by: 'end_at',
      sort_order: 'desc',
    });
    expect(listTestsInputSchema.parse({ product_id: 1 }).per_page).toBeUndefined();
    expect(listTestsInputSchema.parse({ product_id: 1, per_page: '200' }).per_page).toBe(200);
    expect(listTestsInputSchema.safeParse({ product_id: 1, per_page: 201 }).success).toBe(false);
    expect(listTestsInputSchema.safeParse({ product_id: 1, per_page: 0 }).success).toBe(false);
    expect(listProductsInputSchema.safeParse({ per_page: 101 }).success).toBe(false);
    expect(listProductsInputSchema.safeParse({ page: 0 }).success).toBe(false);
    expect(searchInputSchema.safeParse({ query: 'x', limit: 101 }).success).toBe(false);
    expect(searchInputSchema.parse({ query: 'x' })).toMatchObject({ limit: 20, match_mode: 'simple' });
  });

  it('matches single vocabulary values exactly and publishes them as a JSON Schema enum', () => {
    expect(listTestsInputSchema.parse({ product_id: 1, sort_by: 'title', sort_order: 'asc' })).toMatchObject({
      sort_by: 'title',
      sort_order: 'asc',
    });
    const error = invalid(() => parseInput(listTestsInputSchema, { product_id: 1, sort_by: 'Title' }));
    expect(error.field).toBe('sort_by');
    expect(error.message).toBe(
      "Invalid argument 'sort_by': Invalid value 'Title'. Valid values: start_at, end_at, status, title",
    );
    const json = toJSONSchema(listTestsInputSchema, { io: 'input' }) as {
      properties: Record<string, { enum?: string[] }>;
    };
    expect(json.properties.sort_by?.enum).toEqual(['start_at', 'end_at', 'status', 'title']);
    expect(json.properties.sort_order?.enum).toEqual(['asc', 'desc']);
  });

  it('rejects unknown sort fields and empty queries with the field named', () => {
    expect(
      invalid(() => parseInput(listTestsInputSchema, { product_id: 1, sort_by: 'id; DROP TABLE tests' }))
        .field,
    ).toBe('sort_by');
    expect(invalid(() => parseInput(searchInputSchema, { query: '   ' })).field).toBe('query');
  });
});
