import { DEFAULT_TEST_PAGE_SIZE, UpstreamError, type FailedTestRange, type Logger } from '@testio-mcp/domain';
import { mergeFailedRanges, type FailedPosition } from './ranges.js';

/** Reads page `page` (1-based) at `perPage`; `recovery` is true for the re-reads of a failing page. */
export type PageReader<T> = (page: number, perPage: number, context: { recovery: boolean }) => Promise<T[]>;

export interface WalkedPage<T> {
  readonly productId: number;
  readonly page: number;
  readonly offset: number;
  readonly tests: T[];
  readonly failedRanges: FailedTestRange[];
  readonly isLast: boolean;
}

export interface WalkOptions {
  readonly pageSize?: number;
  readonly startPage?: number;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
}

/** Only server errors are worth re-reading with smaller pages (TestIO's known broken-record 500s). */
export function isRecoverablePageError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError && error.status >= 500;
}

/**
 * The page size used to re-read the range `[offset, offset + length)` after it failed: the largest
 * size of at most half the range that divides both the offset and the length, so the smaller pages
 * tile the range exactly (25 → 5 → 1, 10 → 5 → 1, 50 → 25 → 5 → 1, 20 → 10 → 5 → 1).
 */
export function nextRecoverySize(offset: number, length: number): number {
  for (let size = Math.floor(length / 2); size > 1; size--) {
    if (length % size === 0 && offset % size === 0) return size;
  }
  return 1;
}

interface RangeResult<T> {
  items: T[];
  failed: FailedPosition[];
  /** A re-read came back short: the list ends inside this range. */
  ended: boolean;
}

/**
 * One re-read of a failing page. A 429 says nothing about the page, only that we were too fast, and the
 * few retries of a re-read are soon spent on it while other requests share the rate limit: a 429 gets
 * the normal retries once more instead of ending the product's walk (and losing the positions found
 * broken so far).
 */
async function readForRecovery<T>(read: PageReader<T>, page: number, size: number): Promise<T[]> {
  try {
    return await read(page, size, { recovery: true });
  } catch (error) {
    if (!(error instanceof UpstreamError && error.status === 429)) throw error;
    return read(page, size, { recovery: false });
  }
}

/**
 * Re-reads `[offset, offset + length)` with smaller pages, recursing into sub-ranges that still fail,
 * down to single positions. Positions failing at size 1 are reported, never dropped. With per_page p
 * and page n the API returns positions [(n-1)p, np), so a sub-range at `pos` of size s is page pos/s+1.
 */
async function recoverRange<T>(
  read: PageReader<T>,
  offset: number,
  length: number,
  signal: AbortSignal | undefined,
): Promise<RangeResult<T>> {
  const size = nextRecoverySize(offset, length);
  const result: RangeResult<T> = { items: [], failed: [], ended: false };
  for (let pos = offset; pos < offset + length; pos += size) {
    signal?.throwIfAborted();
    let items: T[];
    try {
      items = await readForRecovery(read, pos / size + 1, size);
    } catch (error) {
      if (!isRecoverablePageError(error)) throw error;
      if (size === 1) {
        result.failed.push({ offset: pos, count: 1, error });
        continue;
      }
      const sub = await recoverRange(read, pos, size, signal);
      result.items.push(...sub.items);
      result.failed.push(...sub.failed);
      if (sub.ended) {
        result.ended = true;
        break;
      }
      continue;
    }
    result.items.push(...items.slice(0, size));
    if (items.length < size) {
      result.ended = true;
      break;
    }
  }
  return result;
}

/**
 * Walks a product's tests newest first, page by page, until a short or empty page (the API gives no
 * totals). There is no page cap. A page failing with 5xx (after the normal retries) is re-read at
 * smaller sizes and stitched back together; positions that fail even alone are reported in
 * `failedRanges` and the walk goes on. When a whole page's worth of consecutive positions (at least
 * 25) fails and nothing of the current page could be read, the walk ends with that error instead (the
 * API is down, not one broken record); resume it later with `startPage`.
 */
export async function* walkTestPages<T>(
  productId: number,
  read: PageReader<T>,
  options: WalkOptions = {},
): AsyncGenerator<WalkedPage<T>, void, undefined> {
  const pageSize = options.pageSize ?? DEFAULT_TEST_PAGE_SIZE;
  const startPage = options.startPage ?? 1;
  if (!Number.isInteger(pageSize) || pageSize < 1)
    throw new RangeError(`walkTests: pageSize must be a positive integer, got ${pageSize}`);
  if (!Number.isInteger(startPage) || startPage < 1)
    throw new RangeError(`walkTests: startPage must be a positive integer, got ${startPage}`);
  const { signal, logger } = options;
  /** Failed positions since the last test that could be read; a whole page's worth means the API is down. */
  let failedInARow = 0;
  const downThreshold = Math.max(pageSize, DEFAULT_TEST_PAGE_SIZE);

  for (let page = startPage; ; page++) {
    signal?.throwIfAborted();
    const offset = (page - 1) * pageSize;
    let tests: T[];
    let failed: FailedPosition[] = [];
    let isLast: boolean;
    try {
      tests = await read(page, pageSize, { recovery: false });
      if (tests.length > pageSize) {
        // The server ignored per_page (TestIO staging does): this answer is the whole list.
        logger?.warn(
          { productId, page, pageSize, received: tests.length },
          'TestIO ignored pagination; treating the page as the full list',
        );
      }
      isLast = tests.length < pageSize || tests.length > pageSize;
    } catch (error) {
      if (!isRecoverablePageError(error)) throw error;
      logger?.warn(
        { productId, page, pageSize, status: error.status },
        'test page failed; re-reading it with smaller pages',
      );
      if (pageSize === 1) {
        tests = [];
        failed = [{ offset, count: 1, error }];
        isLast = false;
      } else {
        const recovered = await recoverRange(read, offset, pageSize, signal);
        tests = recovered.items;
        failed = recovered.failed;
        isLast = recovered.ended;
      }
    }
    const failedCount = failed.reduce((n, f) => n + f.count, 0);
    failedInARow = tests.length > 0 ? failedCount : failedInARow + failedCount;
    if (tests.length === 0 && failed[0] && failedInARow >= downThreshold) throw failed[0].error;
    const failedRanges = mergeFailedRanges(productId, failed);
    if (failedRanges.length > 0) {
      logger?.warn(
        { productId, page, failedRanges: failedRanges.map(({ offset: o, count }) => ({ offset: o, count })) },
        'some tests could not be read even one by one',
      );
    }
    yield { productId, page, offset, tests, failedRanges, isLast };
    if (isLast) return;
  }
}
