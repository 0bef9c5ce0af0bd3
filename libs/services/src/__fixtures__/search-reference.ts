import {
  InvalidInputError,
  SEARCH_ENTITY_TYPES,
  type SearchEntityType,
  type SearchPortOptions,
  type SearchPortResult,
} from '@testio-mcp/domain';
import { dbTime, toFtsMatchQuery, TITLE_WEIGHT, type Sqlite } from '@testio-mcp/persistence';

/**
 * The search of `libs/persistence/src/readers/mirror-search.ts` before ADR 0018, kept word for word as the
 * reference its bounded successor is compared with (`search-reference.test.ts`): an exact count of every
 * match, then title matches first and weighted BM25 over the most recently added
 * `REFERENCE_CANDIDATES_PER_ENTITY` matches of each entity type. Runs the caller's options in simple mode
 * with prefixes, or raw mode; never used by the product.
 */

const prepared = (db: Sqlite, sql: string) => db.prepare(sql);
const readTransaction = <T>(db: Sqlite, fn: () => T): T => db.transaction(fn).deferred();
const DEFAULT_SEARCH_LIMIT = 20;
const MAX_SEARCH_LIMIT = 100;
export const REFERENCE_CANDIDATES_PER_ENTITY = 300;
const SEARCH_CANDIDATES_PER_ENTITY = REFERENCE_CANDIDATES_PER_ENTITY;

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
  {
    type: 'product',
    table: 'products',
    fts: 'products_fts',
    product: 'e.id',
    columns: ['title', 'description'],
    date: null,
  },
  {
    type: 'feature',
    table: 'features',
    fts: 'features_fts',
    product: 'e.product_id',
    columns: ['title', 'description', 'howtofind', 'user_stories'],
    date: null,
  },
  {
    type: 'test',
    table: 'tests',
    fts: 'tests_fts',
    product: 'e.product_id',
    columns: ['title', 'goal', 'instructions', 'out_of_scope'],
    date: 'e.end_at',
  },
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

/**
 * Matches of one index ranked per query: at most `@cap` of them, the most recently added first (highest
 * `pk`; FTS5 walks its doclists in rowid order and stops at the cap), each with its BM25 scores computed
 * in that same walk. Without base-row filters, when the file holds one tenant (`ftsOnly`), the walk reads
 * the FTS index alone and only the kept candidates are joined to their rows; otherwise (product or date
 * filters, other tenants) the join is part of the walk so the cap counts matches that pass them.
 */
function candidatesSelect(index: EntityIndex, f: Filters, ftsOnly: boolean): string {
  const weights = index.columns.map((_, i) => (i === 0 ? TITLE_WEIGHT.toFixed(1) : '1.0')).join(', ');
  const titleOnly = index.columns.map((_, i) => (i === 0 ? '1.0' : '0.0')).join(', ');
  const scores = `-bm25(${index.fts}, ${weights}) AS score, bm25(${index.fts}, ${titleOnly}) < 0 AS title_match`;
  const columns = `'${index.type}' AS entity_type, e.id AS entity_id, ${index.product} AS product_id, e.title AS title, e.pk AS pk`;
  if (ftsOnly) {
    return `SELECT ${columns}, c.score, c.title_match FROM (
        SELECT rowid AS pk, ${scores} FROM ${index.fts} WHERE ${index.fts} MATCH @match ORDER BY rowid DESC LIMIT @cap
      ) AS c CROSS JOIN ${index.table} AS e ON e.pk = c.pk WHERE e.customer_id = @customerId`;
  }
  // The walk only covers the pk range of the rows that pass the filters (@lo_<type>..@hi_<type>), so a
  // product (or tenant) whose rows are old is not reached by joining every newer match first.
  return `SELECT * FROM (SELECT ${columns}, ${scores}
    FROM ${index.fts} CROSS JOIN ${index.table} AS e ON e.pk = ${index.fts}.rowid WHERE ${where(index, f)}
      AND ${index.fts}.rowid >= @lo_${index.type} AND ${index.fts}.rowid <= @hi_${index.type}
    ORDER BY ${index.fts}.rowid DESC LIMIT @cap)`;
}

/** The pk range of the rows that pass the base-row filters (read from their indexes, not the rows). */
function boundsSelect(index: EntityIndex, f: Filters): string {
  return `SELECT coalesce(min(e.pk), 0) AS lo, coalesce(max(e.pk), -1) AS hi FROM ${index.table} AS e WHERE ${filterWhere(index, f)}`;
}

/**
 * Exact number of matches. Without filters, when the file holds no other tenant, FTS5 counts its
 * doclists alone (milliseconds for 100k matches); otherwise the base rows are filtered first (their
 * indexes) and probed against the match set, instead of looking up the base row of every match.
 */
function countSelect(index: EntityIndex, f: Filters, ftsOnly: boolean): string {
  if (ftsOnly) {
    return `SELECT count(*) AS n FROM ${index.fts} WHERE ${index.fts} MATCH @match`;
  }
  return `SELECT count(*) AS n FROM ${index.table} AS e WHERE ${filterWhere(index, f)}
    AND e.pk IN (SELECT rowid FROM ${index.fts} WHERE ${index.fts} MATCH @match)`;
}

function filterWhere(index: EntityIndex, f: Filters): string {
  return `e.customer_id = @customerId
    ${f.products ? `AND ${index.product} IN (SELECT value FROM json_each(@productIds))` : ''}
    ${f.from && index.date ? `AND ${index.date} >= @from` : ''}
    ${f.to && index.date ? `AND ${index.date} <= @to` : ''}`;
}

/**
 * Snippets of the chosen rows in one walk over the rowid range they span: `rowid = ?` seeks would
 * re-merge the doclists of every prefix term once per row (milliseconds each), and `snippet()` is only
 * computed for the chosen rows.
 */
function snippetSelect(index: EntityIndex): string {
  return `SELECT pk, snippet FROM (SELECT rowid AS pk,
      CASE WHEN rowid IN (SELECT value FROM json_each(@pks)) THEN snippet(${index.fts}, -1, '**', '**', '…', 16) END AS snippet
    FROM ${index.fts} WHERE ${index.fts} MATCH @match AND rowid >= @low AND rowid <= @high) WHERE snippet IS NOT NULL`;
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

export function referenceSearch(
  db: Sqlite,
  customerId: number,
  options: SearchPortOptions,
  prefix = true,
): Omit<SearchPortResult, 'totalIsLowerBound'> {
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
  const match =
    options.mode === 'raw'
      ? text === ''
        ? null
        : text
      : toFtsMatchQuery(text, { prefix, minPrefixLength: 2 });
  const dated = options.from !== undefined || options.to !== undefined;
  // Products and features carry no date: any date bound leaves them out.
  const indexes = INDEXES.filter((i) => types.includes(i.type) && (!dated || i.date !== null));
  const productIds = options.productIds;
  if (match === null || indexes.length === 0 || (productIds !== undefined && productIds.length === 0)) {
    return { match, total: 0, results: [] };
  }
  const limit = clamp(options.limit, 1, MAX_SEARCH_LIMIT, DEFAULT_SEARCH_LIMIT);
  const offset = clamp(options.offset, 0, Number.MAX_SAFE_INTEGER, 0);
  const filters: Filters = {
    products: productIds !== undefined,
    from: options.from !== undefined,
    to: options.to !== undefined,
  };
  const cap = Math.max(SEARCH_CANDIDATES_PER_ENTITY, offset + limit);
  const params: Record<string, unknown> = { match, customerId, limit, offset, cap };
  if (filters.products) params['productIds'] = JSON.stringify(productIds);
  if (options.from) params['from'] = dbTime(options.from);
  if (options.to) params['to'] = dbTime(options.to);

  return readTransaction(db, () => {
    const onlyTenant = prepared(
      db,
      'SELECT NOT EXISTS (SELECT 1 FROM products WHERE customer_id <> @customerId) AS only',
    ).get({ customerId }) as {
      only: number;
    };
    const ftsOnly = onlyTenant.only === 1 && !filters.products && !filters.from && !filters.to;
    const total = indexes.reduce(
      (sum, index) =>
        sum + (prepared(db, countSelect(index, filters, ftsOnly)).get(params) as { n: number }).n,
      0,
    );
    if (total === 0 || offset >= total) return { match, total, results: [] };
    if (!ftsOnly) {
      for (const index of indexes) {
        const bounds = prepared(db, boundsSelect(index, filters)).get(params) as { lo: number; hi: number };
        params[`lo_${index.type}`] = bounds.lo;
        params[`hi_${index.type}`] = bounds.hi;
      }
    }
    const rows = prepared(
      db,
      `${indexes.map((i) => candidatesSelect(i, filters, ftsOnly)).join('\nUNION ALL\n')}
       ORDER BY title_match DESC, score DESC, entity_type, entity_id LIMIT @limit OFFSET @offset`,
    ).all(params) as HitRow[];

    const snippets = new Map<string, string>();
    for (const index of indexes) {
      const pks = rows.filter((r) => r.entity_type === index.type).map((r) => r.pk);
      if (pks.length === 0) continue;
      const found = prepared(db, snippetSelect(index)).all({
        match,
        pks: JSON.stringify(pks),
        low: Math.min(...pks),
        high: Math.max(...pks),
      }) as { pk: number; snippet: string | null }[];
      for (const s of found) if (s.snippet) snippets.set(`${index.type}:${s.pk}`, s.snippet);
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
