import {
  InvalidInputError,
  SEARCH_ENTITY_TYPES,
  type Logger,
  type SearchEntityType,
  type SearchPort,
  type SearchPortOptions,
  type SearchPortResult,
} from '@testio-mcp/domain';
import { toFtsMatchQuery } from '../fts-query.js';
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, TITLE_WEIGHT } from '../search.js';
import { prepared, readTransaction, type Sqlite } from '../sqlite.js';
import { dbTime } from '../time.js';

/**
 * The services' `SearchPort` on the FTS5 index of migration `*_search_index`: the ranking of
 * `createSearchIndex` (title matches first, then weighted BM25, higher score = better), plus date bounds
 * (tests by `end_at`, bugs by `reported_at`) and a `raw` mode that runs the caller's FTS5 expression
 * (bound as a parameter; a syntax error becomes an `InvalidInputError`).
 */

interface EntityIndex {
  readonly type: SearchEntityType;
  readonly table: string;
  readonly fts: string;
  readonly product: string;
  readonly columns: readonly string[];
  /** Column giving the entity's date, or null when it has none. */
  readonly date: string | null;
}

const INDEXES: readonly EntityIndex[] = [
  { type: 'product', table: 'products', fts: 'products_fts', product: 'e.id', columns: ['title', 'description'], date: null },
  {
    type: 'feature',
    table: 'features',
    fts: 'features_fts',
    product: 'e.product_id',
    columns: ['title', 'description', 'howtofind', 'user_stories'],
    date: null,
  },
  { type: 'test', table: 'tests', fts: 'tests_fts', product: 'e.product_id', columns: ['title', 'goal', 'instructions', 'out_of_scope'], date: 'e.end_at' },
  {
    type: 'bug',
    table: 'bugs',
    fts: 'bugs_fts',
    product: 'e.product_id',
    columns: ['title', 'steps', 'actual_result', 'expected_result'],
    date: 'e.reported_at',
  },
];

interface Filters {
  readonly products: boolean;
  readonly from: boolean;
  readonly to: boolean;
}

function where(index: EntityIndex, f: Filters): string {
  return `${index.fts} MATCH @match AND e.customer_id = @customerId
    ${f.products ? `AND ${index.product} IN (SELECT value FROM json_each(@productIds))` : ''}
    ${f.from && index.date ? `AND ${index.date} >= @from` : ''}
    ${f.to && index.date ? `AND ${index.date} <= @to` : ''}`;
}

function hitsSelect(index: EntityIndex, f: Filters): string {
  const weights = index.columns.map((_, i) => (i === 0 ? TITLE_WEIGHT.toFixed(1) : '1.0')).join(', ');
  const titleOnly = index.columns.map((_, i) => (i === 0 ? '1.0' : '0.0')).join(', ');
  return `SELECT '${index.type}' AS entity_type, e.id AS entity_id, ${index.product} AS product_id, e.title AS title,
      e.pk AS pk, -bm25(${index.fts}, ${weights}) AS score, bm25(${index.fts}, ${titleOnly}) < 0 AS title_match
    FROM ${index.fts} CROSS JOIN ${index.table} AS e ON e.pk = ${index.fts}.rowid WHERE ${where(index, f)}`;
}

function countSelect(index: EntityIndex, f: Filters): string {
  return `SELECT count(*) AS n FROM ${index.fts} CROSS JOIN ${index.table} AS e ON e.pk = ${index.fts}.rowid WHERE ${where(index, f)}`;
}

function snippetSelect(index: EntityIndex): string {
  return `SELECT rowid AS pk, snippet(${index.fts}, -1, '**', '**', '…', 16) AS snippet FROM ${index.fts}
    WHERE ${index.fts} MATCH @match AND rowid IN (SELECT value FROM json_each(@pks))`;
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

function isFtsSyntaxError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /fts5|syntax error|no such column|unterminated|malformed MATCH/i.test(message);
}

export function createMirrorSearch(db: Sqlite, customerId: number, logger?: Logger): SearchPort {
  return {
    search(options: SearchPortOptions): Promise<SearchPortResult> {
      try {
        return Promise.resolve(runSearch(db, customerId, options));
      } catch (error) {
        if (error instanceof InvalidInputError) return Promise.reject(error);
        if (options.mode === 'raw' && isFtsSyntaxError(error)) {
          return Promise.reject(
            new InvalidInputError({
              message: 'Invalid search syntax',
              field: 'query',
              reason: 'The query is not a valid FTS5 expression (operators AND, OR, NOT, "phrases", prefix*)',
              hint: "Fix the expression, or use match_mode='simple' to search the words as typed",
            }),
          );
        }
        logger?.error({ err: error }, 'full-text search failed');
        return Promise.reject(
          new InvalidInputError({
            message: 'The search could not be run for this text',
            field: 'query',
            reason: 'The full-text index rejected the query',
            hint: 'Try fewer or simpler words',
          }),
        );
      }
    },
  };
}

function runSearch(db: Sqlite, customerId: number, options: SearchPortOptions): SearchPortResult {
  const types = options.entityTypes ?? SEARCH_ENTITY_TYPES;
  const unknown = types.filter((t) => !(SEARCH_ENTITY_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw new InvalidInputError({
      message: `Unknown entity type '${unknown[0]}'`,
      field: 'entities',
      hint: `Use any of: ${SEARCH_ENTITY_TYPES.join(', ')}`,
    });
  }
  const text = String(options.query ?? '').trim();
  const match = options.mode === 'raw' ? (text === '' ? null : text) : toFtsMatchQuery(text, { prefix: true, minPrefixLength: 2 });
  const dated = options.from !== undefined || options.to !== undefined;
  // Products and features carry no date: any date bound leaves them out.
  const indexes = INDEXES.filter((i) => types.includes(i.type) && (!dated || i.date !== null));
  const productIds = options.productIds;
  if (match === null || indexes.length === 0 || (productIds !== undefined && productIds.length === 0)) {
    return { match, total: 0, results: [] };
  }
  const limit = clamp(options.limit, 1, MAX_SEARCH_LIMIT, DEFAULT_SEARCH_LIMIT);
  const offset = clamp(options.offset, 0, Number.MAX_SAFE_INTEGER, 0);
  const filters: Filters = { products: productIds !== undefined, from: options.from !== undefined, to: options.to !== undefined };
  const params: Record<string, unknown> = { match, customerId, limit, offset };
  if (filters.products) params['productIds'] = JSON.stringify(productIds);
  if (options.from) params['from'] = dbTime(options.from);
  if (options.to) params['to'] = dbTime(options.to);

  return readTransaction(db, () => {
    const total = indexes.reduce((sum, index) => sum + (prepared(db, countSelect(index, filters)).get(params) as { n: number }).n, 0);
    if (total === 0 || offset >= total) return { match, total, results: [] };
    const rows = prepared(
      db,
      `${indexes.map((i) => hitsSelect(i, filters)).join('\nUNION ALL\n')}
       ORDER BY title_match DESC, score DESC, entity_type, entity_id LIMIT @limit OFFSET @offset`,
    ).all(params) as HitRow[];

    const snippets = new Map<string, string>();
    for (const index of indexes) {
      const pks = rows.filter((r) => r.entity_type === index.type).map((r) => r.pk);
      if (pks.length === 0) continue;
      for (const s of prepared(db, snippetSelect(index)).all({ match, pks: JSON.stringify(pks) }) as { pk: number; snippet: string | null }[]) {
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
