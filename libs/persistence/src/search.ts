import { InvalidInputError, type Logger } from '@testio-mcp/domain';
import { toFtsMatchQuery } from './fts-query.js';
import { prepared, readTransaction, type Sqlite } from './sqlite.js';

export const SEARCHABLE_ENTITIES = ['product', 'feature', 'test', 'bug'] as const;
export type SearchEntityType = (typeof SEARCHABLE_ENTITIES)[number];

export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 100;

/** BM25 weight of the title column; every body column weighs 1. */
export const TITLE_WEIGHT = 10;

interface EntityIndex {
  readonly type: SearchEntityType;
  readonly table: string;
  readonly fts: string;
  /** Expression of the base row (alias `e`) giving the product id. */
  readonly product: string;
  /** Indexed columns; the first is the title. */
  readonly columns: readonly string[];
}

/** The FTS5 tables of migration `*_search_index`, in the order results of equal score are listed. */
const INDEXES: readonly EntityIndex[] = [
  { type: 'product', table: 'products', fts: 'products_fts', product: 'e.id', columns: ['title', 'description'] },
  {
    type: 'feature',
    table: 'features',
    fts: 'features_fts',
    product: 'e.product_id',
    columns: ['title', 'description', 'howtofind', 'user_stories'],
  },
  {
    type: 'test',
    table: 'tests',
    fts: 'tests_fts',
    product: 'e.product_id',
    columns: ['title', 'goal', 'instructions', 'out_of_scope'],
  },
  {
    type: 'bug',
    table: 'bugs',
    fts: 'bugs_fts',
    product: 'e.product_id',
    columns: ['title', 'steps', 'actual_result', 'expected_result'],
  },
];

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
  /** All hits for the query and filters (not only this page). */
  readonly total: number;
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

interface HitRow {
  entity_type: SearchEntityType;
  entity_id: number;
  product_id: number;
  title: string;
  pk: number;
  score: number;
  title_match: number;
}

function clamp(value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

function hitsSelect(index: EntityIndex, withProducts: boolean): string {
  const weights = index.columns.map((_, i) => (i === 0 ? TITLE_WEIGHT.toFixed(1) : '1.0')).join(', ');
  const titleOnly = index.columns.map((_, i) => (i === 0 ? '1.0' : '0.0')).join(', ');
  // CROSS JOIN keeps the FTS table as the outer loop: MATCH runs once, base rows are fetched by pk.
  return `SELECT '${index.type}' AS entity_type, e.id AS entity_id, ${index.product} AS product_id, e.title AS title,
      e.pk AS pk, -bm25(${index.fts}, ${weights}) AS score, bm25(${index.fts}, ${titleOnly}) < 0 AS title_match
    FROM ${index.fts} CROSS JOIN ${index.table} AS e ON e.pk = ${index.fts}.rowid
    WHERE ${index.fts} MATCH @match AND e.customer_id = @customerId
      ${withProducts ? `AND ${index.product} IN (SELECT value FROM json_each(@productIds))` : ''}`;
}

function countSelect(index: EntityIndex, withProducts: boolean): string {
  return `SELECT count(*) AS n FROM ${index.fts} CROSS JOIN ${index.table} AS e ON e.pk = ${index.fts}.rowid
    WHERE ${index.fts} MATCH @match AND e.customer_id = @customerId
      ${withProducts ? `AND ${index.product} IN (SELECT value FROM json_each(@productIds))` : ''}`;
}

function snippetSelect(index: EntityIndex): string {
  return `SELECT rowid AS pk, snippet(${index.fts}, -1, '**', '**', '…', 16) AS snippet FROM ${index.fts}
    WHERE ${index.fts} MATCH @match AND rowid IN (SELECT value FROM json_each(@pks))`;
}

export function createSearchIndex(db: Sqlite, customerId: number, logger?: Logger): SearchIndex {
  return {
    search(options: SearchOptions): Promise<SearchResult> {
      try {
        return Promise.resolve(runSearch(db, customerId, options));
      } catch (error) {
        if (error instanceof InvalidInputError) return Promise.reject(error);
        // Our quoting makes every query valid FTS5; anything reaching here is unexpected. The driver's
        // message is logged, never shown.
        logger?.error({ err: error, query: options.query }, 'full-text search failed');
        return Promise.reject(
          new InvalidInputError({
            message: 'The search could not be run for this text',
            field: 'query',
            reason: 'The full-text index rejected the query',
            hint: 'Try fewer or simpler words',
            cause: error,
          }),
        );
      }
    },
  };
}

function runSearch(db: Sqlite, customerId: number, options: SearchOptions): SearchResult {
  const types = options.entityTypes ?? SEARCHABLE_ENTITIES;
  const unknown = types.filter((t) => !(SEARCHABLE_ENTITIES as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw new InvalidInputError({
      message: `Unknown entity type '${unknown[0]}'`,
      field: 'entity_types',
      hint: `Use any of: ${SEARCHABLE_ENTITIES.join(', ')}`,
    });
  }
  const match = toFtsMatchQuery(String(options.query ?? ''), { prefix: options.prefix ?? true, minPrefixLength: 2 });
  const indexes = INDEXES.filter((i) => types.includes(i.type));
  const productIds = options.productIds;
  if (match === null || indexes.length === 0 || (productIds !== undefined && productIds.length === 0)) {
    return { match, total: 0, results: [] };
  }
  const limit = clamp(options.limit, 1, MAX_SEARCH_LIMIT, DEFAULT_SEARCH_LIMIT);
  const offset = clamp(options.offset, 0, Number.MAX_SAFE_INTEGER, 0);
  const withProducts = productIds !== undefined;
  const params: Record<string, unknown> = { match, customerId, limit, offset };
  if (withProducts) params['productIds'] = JSON.stringify(productIds);

  return readTransaction(db, () => {
    const total = indexes.reduce(
      (sum, index) => sum + (prepared(db, countSelect(index, withProducts)).get(params) as { n: number }).n,
      0,
    );
    if (total === 0 || offset >= total) return { match, total, results: [] };
    const rows = prepared(
      db,
      `${indexes.map((i) => hitsSelect(i, withProducts)).join('\nUNION ALL\n')}
       ORDER BY title_match DESC, score DESC, entity_type, entity_id LIMIT @limit OFFSET @offset`,
    ).all(params) as HitRow[];

    const snippets = new Map<string, string>();
    for (const index of indexes) {
      const pks = rows.filter((r) => r.entity_type === index.type).map((r) => r.pk);
      if (pks.length === 0) continue;
      for (const s of prepared(db, snippetSelect(index)).all({ match, pks: JSON.stringify(pks) }) as {
        pk: number;
        snippet: string | null;
      }[]) {
        if (s.snippet) snippets.set(`${index.type}:${s.pk}`, s.snippet);
      }
    }
    return {
      match,
      total,
      results: rows.map((r) => ({
        entity_type: r.entity_type,
        entity_id: r.entity_id,
        product_id: r.product_id,
        title: r.title,
        snippet: snippets.get(`${r.entity_type}:${r.pk}`) ?? null,
        score: r.score,
        title_match: r.title_match === 1,
      })),
    };
  });
}
