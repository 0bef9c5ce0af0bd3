import type { FailedTestRange, UpstreamError } from '@testio-mcp/domain';

export interface FailedPosition {
  readonly offset: number;
  readonly count: number;
  readonly error: UpstreamError;
}

/**
 * Merges failed positions into contiguous ranges (sorted by offset). Adjacent or overlapping ranges
 * become one; the merged range keeps the error of its first part.
 */
export function mergeFailedRanges(
  productId: number,
  positions: readonly FailedPosition[],
): FailedTestRange[] {
  const sorted = [...positions].filter((p) => p.count > 0).sort((a, b) => a.offset - b.offset);
  const out: Array<{ productId: number; offset: number; count: number; error: UpstreamError }> = [];
  for (const p of sorted) {
    const last = out.at(-1);
    if (last && p.offset <= last.offset + last.count) {
      last.count = Math.max(last.count, p.offset + p.count - last.offset);
    } else {
      out.push({ productId, offset: p.offset, count: p.count, error: p.error });
    }
  }
  return out;
}
