import { InvalidInputError } from '@testio-mcp/domain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rejectPageOutOfRange, rejectUnknownArguments, suggestArgument } from './input-guards.js';

const schema = z.object({
  product_id: z.number(),
  statuses: z.string().optional(),
  per_page: z.number().optional(),
});

function text(run: () => void): string {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.toUserText();
    throw error;
  }
  return '';
}

describe('unknown arguments', () => {
  it('are refused with the arguments the tool takes and the likely one', () => {
    const message = text(() =>
      rejectUnknownArguments('list_tests', schema, { product_id: 1, status: 'running' }),
    );
    expect(message).toContain("❌ Unknown argument 'status' for list_tests");
    expect(message).toContain('list_tests takes: product_id, statuses, per_page');
    expect(message).toContain("Did you mean 'statuses'?");
    expect(text(() => rejectUnknownArguments('list_tests', schema, { productId: 1 }))).toContain(
      "Did you mean 'product_id'?",
    );
    expect(text(() => rejectUnknownArguments('list_tests', schema, { product_id: 1 }))).toBe('');
  });

  it('suggests only close names', () => {
    expect(suggestArgument('perPage', ['page', 'per_page'])).toBe('per_page');
    expect(suggestArgument('limit', ['page', 'per_page'])).toBeUndefined();
  });
});

describe('pages out of range', () => {
  const pagination = (page: number, perPage: number, total: number, offset = 0) => ({
    pagination: { page, per_page: perPage, start_index: offset + (page - 1) * perPage, total_count: total },
  });

  it('lets pages with results and an empty first page through', () => {
    expect(text(() => rejectPageOutOfRange('list_tests', pagination(3, 10, 21)))).toBe('');
    expect(text(() => rejectPageOutOfRange('list_tests', pagination(1, 10, 0)))).toBe('');
    expect(text(() => rejectPageOutOfRange('search', { results: [] }))).toBe('');
  });

  it('refuses a page past the end, naming the last page', () => {
    expect(text(() => rejectPageOutOfRange('list_tests', pagination(4, 10, 21)))).toMatch(
      /Page 4 of list_tests is out of range: there are 21 results, so the last page with per_page=10 is 3[\s\S]*💡 Ask for page 3 or lower/,
    );
    expect(text(() => rejectPageOutOfRange('list_bugs', pagination(2, 10, 0)))).toMatch(/Nothing matches/);
  });
});
