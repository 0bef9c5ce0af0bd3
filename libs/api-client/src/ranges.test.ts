import { describe, expect, it } from 'vitest';
import { UpstreamError } from '@testio-mcp/domain';
import { mergeFailedRanges } from './ranges.js';

const err = (path: string) =>
  new UpstreamError({ status: 500, operation: { method: 'GET', path }, message: 'boom' });

describe('mergeFailedRanges', () => {
  it('merges adjacent and overlapping positions, sorted, keeping the first error', () => {
    const a = err('a');
    const merged = mergeFailedRanges(7, [
      { offset: 12, count: 1, error: err('c') },
      { offset: 10, count: 1, error: a },
      { offset: 11, count: 1, error: err('b') },
      { offset: 20, count: 2, error: err('d') },
      { offset: 21, count: 3, error: err('e') },
    ]);
    expect(merged.map(({ productId, offset, count }) => ({ productId, offset, count }))).toEqual([
      { productId: 7, offset: 10, count: 3 },
      { productId: 7, offset: 20, count: 4 },
    ]);
    expect(merged[0]?.error).toBe(a);
  });

  it('keeps gaps apart and drops empty positions', () => {
    const merged = mergeFailedRanges(1, [
      { offset: 0, count: 1, error: err('x') },
      { offset: 2, count: 1, error: err('y') },
      { offset: 5, count: 0, error: err('z') },
    ]);
    expect(merged.map((r) => [r.offset, r.count])).toEqual([
      [0, 1],
      [2, 1],
    ]);
  });
});
