import { describe, expect, it } from 'vitest';
import { MAX_TESTS_PER_BUG_REQUEST } from '@testio-mcp/domain';
import { bugRequestBatches, chunk, uniqueIds } from './chunk.js';

describe('chunk', () => {
  it('splits into chunks of at most size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });

  it('de-duplicates keeping first positions', () => {
    expect(uniqueIds([3, 1, 3, 2, 1])).toEqual([3, 1, 2]);
  });

  it('batches test ids by 15 after de-duplication', () => {
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    const batches = bugRequestBatches([...ids, ...ids]);
    expect(MAX_TESTS_PER_BUG_REQUEST).toBe(15);
    expect(batches.map((b) => b.length)).toEqual([15, 15, 10]);
    expect(batches.flat()).toEqual(ids);
  });
});
