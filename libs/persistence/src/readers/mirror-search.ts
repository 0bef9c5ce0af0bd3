import {
  InvalidInputError,
  SEARCH_COUNT_CAP,
  SEARCH_ENTITY_TYPES,
  type Logger,
  type SearchEntityType,
  type SearchPort,
  type SearchPortOptions,
  type SearchPortResult,
} from '@testio-mcp/domain';
import { toFtsMatchQuery } from '../fts-query.js';
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, TITLE_WEIGHT } from '../search-constants.js';
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
 * The bounded walk of one index (ADR 0018): its matches that pass the filters, most recently added first
 * (highest `pk`; FTS5 walks its doclists in rowid order and stops at `@walk`), each with its BM25 scores.
 * The first `cap` rows are the ranking candidates and the number of rows is the count, exact below
 * `@walk`. Without base-row filters, when the file holds one tenant (`ftsOnly`), the walk reads the FTS
 * index alone; otherwise the join to the rows is part of the walk so that it counts and keeps only
 * matches that pass them, over the pk range of the rows that pass them (`@lo_<type>..@hi_<type>`), so a
 * product (or tenant) whose rows are old is not reached by joining every newer match first.
 */
function walkSelect(index: EntityIndex, f: Filters, ftsOnly: boolean): string {
  const weights = index.columns.map((_, i) => (i === 0 ? TITLE_WEIGHT.toFixed(1) : '1.0')).join(', ');
  const titleOnly = index.columns.map((_, i) => (i === 0 ? '1.0' : '0.0')).join(', ');
  // BM25 only for the first `@cap` rows (the ranking window); the rest of the walk only counts.
  const scores = `CASE WHEN ${RANK_GATE}() THEN -bm25(${index.fts}, ${weights}) END AS score,
    CASE WHEN ${RANK_GATE}() THEN bm25(${index.fts}, ${titleOnly}) < 0 END AS title_match`;
  if (ftsOnly) {
    return `SELECT rowid AS pk, ${scores} FROM ${index.fts} WHERE ${index.fts} MATCH @match ORDER BY rowid DESC LIMIT @walk`;
  }
  return `SELECT ${index.fts}.rowid AS pk, ${scores}
    FROM ${index.fts} CROSS JOIN ${index.table} AS e ON e.pk = ${index.fts}.rowid WHERE ${where(index, f)}
      AND ${index.fts}.rowid >= @lo_${index.type} AND ${index.fts}.rowid <= @hi_${index.type}
    ORDER BY ${index.fts}.rowid DESC LIMIT @walk`;
}

/**
 * The base rows of the hits on the page (only those are read), by primary key: `json_each` drives the
 * join, so the planner never scans the tenant's rows through a `customer_id` index instead.
 */
function rowsSelect(index: EntityIndex): string {
  return `SELECT e.pk AS pk, e.id AS entity_id, ${index.product} AS product_id, e.title AS title
    FROM json_each(@pks) AS k CROSS JOIN ${index.table} AS e ON e.pk = k.value WHERE e.customer_id = @customerId`;
}

/** The pk range of the rows that pass the base-row filters (read from their indexes, not the rows). */
function boundsSelect(index: EntityIndex, f: Filters): string {
  return `SELECT coalesce(min(e.pk), 0) AS lo, coalesce(max(e.pk), -1) AS hi FROM ${index.table} AS e WHERE ${filterWhere(index, f)}`;
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

/**
 * Matches of one entity type that are ranked (title matches first, then weighted BM25) when a query
 * matches more: the most recently added ones. Below it the ranking is exhaustive. Raised to
 * `offset + limit` when a caller pages further.
 */
export const SEARCH_CANDIDATES_PER_ENTITY = 300;

interface WalkRow {
  pk: number;
  score: number;
  title_match: number;
}

interface Candidate extends WalkRow {
  readonly type: SearchEntityType;
}

interface BaseRow {
  pk: number;
  entity_id: number;
  product_id: number;
  title: string;
}

function clamp(value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

function isFtsSyntaxError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /fts5|syntax error|no such column|unterminated|malformed MATCH/i.test(message);
}

/**
 * `search_rank_gate()`: true for the first `gate.left` rows of the walk that runs next (each row asks
 * twice, once per score), so the walk that counts up to the cap computes BM25 only for the ranking
 * window, in one pass over the FTS5 index (a prefix word is merged once, not once for the count and once
 * for the ranking). Statements run synchronously, one at a time per process, so one counter serves.
 */
const RANK_GATE = 'search_rank_gate';
const gate = { left: 0 };
const gated = new WeakSet<Sqlite>();

function registerGate(db: Sqlite): void {
  if (gated.has(db)) return;
  db.function(RANK_GATE, { deterministic: false, directOnly: true }, () => {
    gate.left -= 1;
    return gate.left >= 0 ? 1 : 0;
  });
  gated.add(db);
}

export function createMirrorSearch(db: Sqlite, customerId: number, logger?: Logger): SearchPort {
  return { search: (options) => searchMirror(db, customerId, options, { logger }) };
}

/**
 * What both engines read from a search's options: the entity types (unknown ones refused), the FTS5
 * expression (`null` when there is nothing to search for) and whether a date bound is set.
 */
export function searchRequest(
  options: SearchPortOptions,
  prefix: boolean,
): { types: NonNullable<SearchPortOptions['entityTypes']>; match: string | null; dated: boolean } {
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
  return { types, match, dated };
}

/** The search of `createMirrorSearch` and `createSearchIndex`; `prefix: false` matches simple words whole. */
export function searchMirror(
  db: Sqlite,
  customerId: number,
  options: SearchPortOptions,
  extra: { readonly prefix?: boolean; readonly logger?: Logger | undefined } = {},
): Promise<SearchPortResult> {
  try {
    return Promise.resolve(runSearch(db, customerId, options, extra.prefix ?? true));
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
    // Our quoting makes every simple query valid FTS5; anything reaching here is unexpected. The driver's
    // message is logged, never shown.
    extra.logger?.error({ err: error }, 'full-text search failed');
    return Promise.reject(
      new InvalidInputError({
        message: 'The search could not be run for this text',
        field: 'query',
        reason: 'The full-text index rejected the query',
        hint: 'Try fewer or simpler words',
      }),
    );
  }
}

function runSearch(
  db: Sqlite,
  customerId: number,
  options: SearchPortOptions,
  prefix: boolean,
): SearchPortResult {
  const { types, match, dated } = searchRequest(options, prefix);
  // Products and features carry no date: any date bound leaves them out.
  const indexes = INDEXES.filter((i) => types.includes(i.type) && (!dated || i.date !== null));
  const productIds = options.productIds;
  if (match === null || indexes.length === 0 || (productIds !== undefined && productIds.length === 0)) {
    return { match, total: 0, totalIsLowerBound: false, results: [] };
  }
  const limit = clamp(options.limit, 1, MAX_SEARCH_LIMIT, DEFAULT_SEARCH_LIMIT);
  const offset = clamp(options.offset, 0, Number.MAX_SAFE_INTEGER, 0);
  const filters: Filters = {
    products: productIds !== undefined,
    from: options.from !== undefined,
    to: options.to !== undefined,
  };
  const cap = Math.max(SEARCH_CANDIDATES_PER_ENTITY, offset + limit);
  const walk = Math.max(SEARCH_COUNT_CAP, cap);
  const params: Record<string, unknown> = { match, customerId, walk };
  if (filters.products) params['productIds'] = JSON.stringify(productIds);
  if (options.from) params['from'] = dbTime(options.from);
  if (options.to) params['to'] = dbTime(options.to);

  registerGate(db);
  return readTransaction(db, () => {
    const onlyTenant = prepared(
      db,
      'SELECT NOT EXISTS (SELECT 1 FROM products WHERE customer_id <> @customerId) AS only',
    ).get({ customerId }) as {
      only: number;
    };
    const ftsOnly = onlyTenant.only === 1 && !filters.products && !filters.from && !filters.to;
    let total = 0;
    let lowerBound = false;
    const candidates: Candidate[] = [];
    for (const index of indexes) {
      if (!ftsOnly) {
        const bounds = prepared(db, boundsSelect(index, filters)).get(params) as { lo: number; hi: number };
        params[`lo_${index.type}`] = bounds.lo;
        params[`hi_${index.type}`] = bounds.hi;
      }
      gate.left = 2 * cap;
      const rows = prepared(db, walkSelect(index, filters, ftsOnly)).all(params) as WalkRow[];
      total += rows.length;
      if (rows.length >= walk) lowerBound = true;
      for (const row of rows.slice(0, cap)) candidates.push({ ...row, type: index.type });
    }
    if (total === 0 || offset >= total) return { match, total, totalIsLowerBound: lowerBound, results: [] };
    const page = rankPage(db, customerId, indexes, candidates, offset, limit);

    const snippets = new Map<string, string>();
    for (const index of indexes) {
      const pks = page.filter((r) => r.type === index.type).map((r) => r.pk);
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
      totalIsLowerBound: lowerBound,
      results: page.map((r) => ({
        entity_type: r.type,
        entity_id: r.entity_id,
        product_id: r.product_id,
        title: r.title,
        snippet: snippets.get(`${r.type}:${r.pk}`) ?? null,
        score: r.score,
        title_match: r.title_match === 1,
      })),
    };
  });
}

type Ranked = Candidate & BaseRow;

/** Title matches first, then the higher score, then entity type: the order before the entity id. */
function compareKey(a: Candidate, b: Candidate): number {
  return (
    b.title_match - a.title_match || b.score - a.score || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)
  );
}

/**
 * The page `offset..offset+limit` of the candidates in the ranking order (title matches first, weighted
 * BM25, entity type, entity id). Only the rows of the page are read, plus those that tie with its first
 * or last hit (equal scores are ordered by entity id, which lives in the rows).
 */
function rankPage(
  db: Sqlite,
  customerId: number,
  indexes: readonly EntityIndex[],
  candidates: Candidate[],
  offset: number,
  limit: number,
): Ranked[] {
  candidates.sort(compareKey);
  const first = candidates[offset];
  const last = candidates[Math.min(offset + limit, candidates.length) - 1];
  if (!first || !last) return [];
  let start = offset;
  while (start > 0 && compareKey(candidates[start - 1] as Candidate, first) === 0) start -= 1;
  let end = Math.min(offset + limit, candidates.length);
  while (end < candidates.length && compareKey(candidates[end] as Candidate, last) === 0) end += 1;
  const window = candidates.slice(start, end);
  const rows = new Map<string, BaseRow>();
  for (const index of indexes) {
    const pks = window.filter((c) => c.type === index.type).map((c) => c.pk);
    if (pks.length === 0) continue;
    const found = prepared(db, rowsSelect(index)).all({ pks: JSON.stringify(pks), customerId }) as BaseRow[];
    for (const row of found) rows.set(`${index.type}:${row.pk}`, row);
  }
  const ranked: Ranked[] = [];
  for (const c of window) {
    const row = rows.get(`${c.type}:${c.pk}`);
    if (row) ranked.push({ ...c, ...row });
  }
  ranked.sort((a, b) => compareKey(a, b) || a.entity_id - b.entity_id);
  return ranked.slice(offset - start, offset - start + limit);
}
