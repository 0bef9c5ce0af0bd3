import type { Logger } from '@testio-mcp/domain';
import { searchMirror } from './readers/mirror-search.js';
import type { SearchEntityType } from './search-constants.js';
import type { Sqlite } from './sqlite.js';

export {
  DEFAULT_SEARCH_LIMIT,
  MAX_SEARCH_LIMIT,
  SEARCHABLE_ENTITIES,
  TITLE_WEIGHT,
} from './search-constants.js';
export type { SearchEntityType } from './search-constants.js';

export interface SearchOptions {
  /** Free text. Every word is searched for as typed (operators and punctuation are not syntax). */
  readonly query: string;
  /** Restrict to these entity types (default: all four). */
  readonly entityTypes?: readonly SearchEntityType[];
  /** Restrict to these products. */
  readonly productIds?: readonly number[];
  /** 1..100, default 20. */
  readonly limit?: number;
  readonly offset?: number;
  /** Match words as prefixes (`log` finds `login`); default true. Words of one letter match whole. */
  readonly prefix?: boolean;
}

export interface SearchHit {
  readonly entity_type: SearchEntityType;
  readonly entity_id: number;
  readonly product_id: number;
  readonly title: string;
  /** The best-matching passage with matches between `**`, or null when it could not be built. */
  readonly snippet: string | null;
  /** `-bm25` with the title weighted 10× the body: higher is better. */
  readonly score: number;
  /** Whether the title itself matched; title matches are listed before body-only matches. */
  readonly title_match: boolean;
}

export interface SearchResult {
  /** The FTS5 expression that ran, or null when the query held no searchable word. */
  readonly match: string | null;
  /**
   * Hits for the query and filters (not only this page): exact up to `SEARCH_COUNT_CAP` per entity type,
   * a lower bound beyond (ADR 0018).
   */
  readonly total: number;
  /** True when `total` is a lower bound: the count stopped at its cap. */
  readonly totalIsLowerBound: boolean;
  readonly results: SearchHit[];
}

export interface SearchIndex {
  /**
   * Full-text search over products, features, tests and bugs of this tenant, title matches first, then
   * by weighted BM25. Never fails on odd text: a query without any searchable word (empty, only
   * punctuation or emoji) returns no results; unknown entity types are rejected with
   * `InvalidInputError`.
   */
  search(options: SearchOptions): Promise<SearchResult>;
}

/**
 * The tenant's search as `openDatabase` returns it: the services' search (`createMirrorSearch`, one
 * implementation of the FTS5 queries) in `simple` mode, with the prefix switch.
 */
export function createSearchIndex(db: Sqlite, customerId: number, logger?: Logger): SearchIndex {
  return {
    search(options: SearchOptions): Promise<SearchResult> {
      return searchMirror(
        db,
        customerId,
        { ...options, mode: 'simple' },
        { prefix: options.prefix ?? true, logger },
      ).then((result) => ({
        ...result,
        results: [...result.results],
      }));
    },
  };
}
