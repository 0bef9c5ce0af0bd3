/** Constants of the full-text search (`readers/mirror-search.ts`, `search.ts`). */
export const SEARCHABLE_ENTITIES = ['product', 'feature', 'test', 'bug'] as const;
export type SearchEntityType = (typeof SEARCHABLE_ENTITIES)[number];

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 100;

/** BM25 weight of the title column; every body column weighs 1. */
export const TITLE_WEIGHT = 10;
