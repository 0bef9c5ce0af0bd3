import { describe, expect, it } from 'vitest';
import { toJSONSchema } from 'zod';
import { InvalidInputError } from '@testio-mcp/domain';
import {
  OPERATION_CONTRACTS,
  getTestSummaryInputSchema,
  listBugsInputSchema,
  listProductsInputSchema,
  listTestsInputSchema,
  parseInput,
  searchInputSchema,
  syncDataInputSchema,
} from '../index.js';

function invalid(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError');
}

describe('operation contracts', () => {
  it('covers the 14 operations, each with JSON Schemas free of $ref and a description on every input field', () => {
    expect(Object.keys(OPERATION_CONTRACTS)).toHaveLength(14);
    for (const [name, contract] of Object.entries(OPERATION_CONTRACTS)) {
      const input = toJSONSchema(contract.input, { io: 'input' }) as { properties: Record<string, { description?: string }> };
      const output = toJSONSchema(contract.output, { io: 'output' });
      expect(JSON.stringify(input), name).not.toContain('$ref');
      expect(JSON.stringify(output), name).not.toContain('$ref');
      for (const [field, schema] of Object.entries(input.properties)) {
        expect(schema.description, `${name}.${field}`).toBeTruthy();
      }
    }
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
    for (const form of [598, '598', [598], ['598'], '598,599', '598, 599', '[598, 599]', '["598", "599"]', [598, '599']]) {
      const ids = listBugsInputSchema.parse({ test_ids: form }).test_ids;
      expect(ids[0], JSON.stringify(form)).toBe(598);
    }
    expect(listBugsInputSchema.parse({ test_ids: '598, 599, 598' }).test_ids).toEqual([598, 599]);
    expect(syncDataInputSchema.parse({ product_ids: '' }).product_ids).toBeUndefined();
    expect(syncDataInputSchema.parse({ product_ids: [] }).product_ids).toBeUndefined();
  });

  it('requires at least one test id for list_bugs, naming the field', () => {
    for (const empty of [undefined, null, [], '', '[]']) {
      const error = invalid(() => parseInput(listBugsInputSchema, { test_ids: empty }, 'list_bugs'));
      expect(error.field).toBe('test_ids');
      expect(error.toUserText()).toMatch(/^❌ Invalid argument 'test_ids': At least one id is required/);
    }
    expect(invalid(() => parseInput(listBugsInputSchema, { test_ids: [1, 'x'] })).field).toBe('test_ids');
  });

  it('validates list vocabularies case-insensitively and lists the valid values', () => {
    expect(listTestsInputSchema.parse({ product_id: 1, statuses: 'Running, LOCKED' }).statuses).toEqual(['running', 'locked']);
    expect(listTestsInputSchema.parse({ product_id: 1, statuses: '["archived"]' }).statuses).toEqual(['archived']);
    const error = invalid(() => parseInput(listTestsInputSchema, { product_id: 1, statuses: ['running', 'bogus'] }));
    expect(error.field).toBe('statuses');
    expect(error.message).toContain("'bogus'");
    expect(error.message).toContain('customer_finalized');
  });

  it('bounds per_page (1-200, products 1-100), coerces numeric strings and leaves the default to the settings', () => {
    expect(listTestsInputSchema.parse({ product_id: 1 })).toMatchObject({ page: 1, offset: 0, sort_by: 'end_at', sort_order: 'desc' });
    expect(listTestsInputSchema.parse({ product_id: 1 }).per_page).toBeUndefined();
    expect(listTestsInputSchema.parse({ product_id: 1, per_page: '200' }).per_page).toBe(200);
    expect(listTestsInputSchema.safeParse({ product_id: 1, per_page: 201 }).success).toBe(false);
    expect(listTestsInputSchema.safeParse({ product_id: 1, per_page: 0 }).success).toBe(false);
    expect(listProductsInputSchema.safeParse({ per_page: 101 }).success).toBe(false);
    expect(listProductsInputSchema.safeParse({ page: 0 }).success).toBe(false);
    expect(searchInputSchema.safeParse({ query: 'x', limit: 101 }).success).toBe(false);
    expect(searchInputSchema.parse({ query: 'x' })).toMatchObject({ limit: 20, match_mode: 'simple' });
  });

  it('rejects unknown sort fields and empty queries with the field named', () => {
    expect(invalid(() => parseInput(listTestsInputSchema, { product_id: 1, sort_by: 'id; DROP TABLE tests' })).field).toBe('sort_by');
    expect(invalid(() => parseInput(searchInputSchema, { query: '   ' })).field).toBe('query');
  });
});
