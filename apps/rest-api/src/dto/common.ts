/**
 * Response DTOs are plain interfaces because tsoa cannot read `z.infer` (lukeautry/tsoa#1256).
 * `contracts.test.ts` proves each one equal to the services' output schema, so REST and MCP answers
 * cannot drift apart.
 */

/** Where this page sits in the full result. */
export interface Pagination {
  /** The page asked for (1-based). @example 1 */
  page: number;
  /** Page size used. @example 100 */
  per_page: number;
  /** Effective offset of the first item: offset + (page - 1) * per_page. @example 0 */
  offset: number;
  /** 0-based index of the first item returned (= offset). */
  start_index: number;
  /** 0-based index of the last item returned, -1 when the page is empty. */
  end_index: number;
  /** Exact number of items matching the filters, over all pages. @example 42 */
  total_count: number;
  /** Exactly whether items exist after this page. */
  has_more: boolean;
  /** Only on a page past the end (which is empty, not an error): the last page. */
  hint?: string;
}

/** Freshness fields every data answer carries. */
export interface Freshness {
  /**
   * When the data behind this answer was last read from TestIO (ISO 8601 UTC); null if never synced.
   * @example "2025-06-01T08:00:00.000Z"
   */
  data_as_of: string | null;
  /** True when that data is older than the cache TTL, or a refresh failed. */
  stale: boolean;
  /** Problems that did not stop the answer: a failed refresh (data may be stale), unknown ids, truncation. */
  warnings?: string[];
}

/** A `{ id, name }` reference. */
export interface NamedRef {
  id: number;
  name: string;
}

/** A `{ id, title }` reference. */
export interface TitledRef {
  id: number;
  title: string;
}

/** A test environment: `{ id, title }`. */
export interface TestEnvironmentRef {
  id: number;
  title: string | null;
}

/** Counts by key, e.g. tests per status. */
export type CountMap = Record<string, number>;
