import { MAX_TESTS_PER_BUG_REQUEST } from '@testio-mcp/domain';

/** Splits `items` into consecutive chunks of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Removes duplicates, keeping the first occurrence's position. */
export function uniqueIds<T>(ids: readonly T[]): T[] {
  return [...new Set(ids)];
}

/** De-duplicated test ids in batches of at most 15 (`MAX_TESTS_PER_BUG_REQUEST`), one `/bugs` request each. */
export function bugRequestBatches(
  testIds: readonly number[],
  batchSize: number = MAX_TESTS_PER_BUG_REQUEST,
): number[][] {
  return chunk(uniqueIds(testIds), batchSize);
}
