import { InvalidInputError } from '@testio-mcp/domain';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rejectUnknownArguments, suggestArgument } from './input-guards.js';

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
