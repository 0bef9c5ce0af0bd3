import {
  InvalidInputError,
  SEARCH_COUNT_CAP,
  type Logger,
  type SearchEntityType,
  type SearchPort,
  type SearchPortOptions,
  type SearchPortResult,
} from '@testio-mcp/domain';
import type pg from 'pg';
import { SEARCH_CANDIDATES_PER_ENTITY, searchRequest } from '../readers/mirror-search.js';
import { DEFAULT_SEARCH_LIMIT, MAX_SEARCH_LIMIT, TITLE_WEIGHT } from '../search-constants.js';
import type { SearchIndex, SearchOptions, SearchResult } from '../search.js';
import { FtsSyntaxError, type FtsNode, parseFtsExpression, toTsQueries } from './fts-expression.js';
import { namedToPositional, readSnapshot } from './readers/sql.js';

/**
 * The services' `SearchPort` on PostgreSQL (migration `20261210000100_search`, ADR 0030): the contract of
 * `createMirrorSearch` on FTS5, answer for answer: the same expressions (`match` is the FTS5 expression in
 * both engines; raw mode reads FTS5 syntax), tenant-scoped, every filter, per entity type the newest
 * `SEARCH_COUNT_CAP` matches counted and the newest `SEARCH_CANDIDATES_PER_ENTITY` ranked, title matches
 * first, then the weighted score (`ts_rank_cd`, title 10× the body; higher is better), entity type, id.
 */

/** The text search configuration of the migration (unaccent + English stemming, no stop words). */
export const SEARCH_CONFIG = 'testio_search';

export interface EntityIndex {
  readonly type: SearchEntityType;
  readonly table: string;
  readonly product: string;
  /** In FTS5 column order: weights A, B, C, D (the migration's `setweight`). */
  readonly columns: readonly string[];
  readonly date: string | null;
}

/** The indexed tables and their columns, in weight order (A, B, C, D), as the migration builds them. */
export const PG_SEARCH_INDEXES: readonly EntityIndex[] = [
  { type: 'product', table: 'products', product: 'e.id', columns: ['title', 'description'], date: null },
  {
    type: 'feature',
    table: 'features',
    product: 'e.product_id',
    columns: ['title', 'description', 'howtofind', 'user_stories'],
    date: null,
  },
  {
    type: 'test',
    table: 'tests',
    product: 'e.product_id',
    columns: ['title', 'goal', 'instructions', 'out_of_scope'],
    date: 'e.end_at',
  },
  {
    type: 'bug',
    table: 'bugs',
    product: 'e.product_id',
    columns: ['title', 'steps', 'actual_result', 'expected_result'],
    date: 'e.reported_at',
  },
];

/** `ts_rank_cd` weights {D, C, B, A}: the title (A) weighs `TITLE_WEIGHT` times each body column. */
const RANK_WEIGHTS = `'{${[1, 1, 1].map(() => (1 / TITLE_WEIGHT).toString()).join(', ')}, 1}'::float4[]`;

/** `ts_headline` options shaped like FTS5's `snippet(…, '**', '**', '…', 16)`. */
const HEADLINE_OPTIONS =
  'StartSel=**, StopSel=**, MaxWords=16, MinWords=6, ShortWord=0, MaxFragments=1, FragmentDelimiter=" … "';

interface Filters {
  readonly products: boolean;
  readonly from: boolean;
  readonly to: boolean;
}

/**
 * The walk of one index: its matches that pass the filters, newest `pk` first, at most `@walk` of them
 * (the count), with the ranking inputs and the base row for the first `@cap` (the candidates).
 */
function walkSelect(index: EntityIndex, f: Filters, hasTitle: boolean): string {
  const title = hasTitle ? `r.vector @@ to_tsquery('${SEARCH_CONFIG}', @title::text)` : 'false';
  return `WITH m AS (
      SELECT s.pk, s.vector FROM ${index.table}_fts s JOIN ${index.table} e ON e.pk = s.pk
      WHERE s.customer_id = @customerId AND e.customer_id = @customerId
        AND s.vector @@ to_tsquery('${SEARCH_CONFIG}', @query::text)
        ${f.products ? `AND ${index.product} = ANY(@productIds::int[])` : ''}
        ${f.from && index.date ? `AND ${index.date} >= @from::timestamptz` : ''}
        ${f.to && index.date ? `AND ${index.date} <= @to::timestamptz` : ''}
      ORDER BY s.pk DESC LIMIT @walk::int),
    ranked AS (SELECT pk, vector FROM m ORDER BY pk DESC LIMIT @cap::int)
    SELECT (SELECT count(*) FROM m) AS total, r.pk, e.id AS entity_id, ${index.product} AS product_id, e.title,
      ts_rank_cd(${RANK_WEIGHTS}, r.vector, to_tsquery('${SEARCH_CONFIG}', @query::text)) AS score,
      ${title} AS title_match
    FROM (SELECT 1) one LEFT JOIN (ranked r JOIN ${index.table} e ON e.pk = r.pk) ON true`;
}

/**
 * Snippets of the chosen rows: the column that matches best (ties: the first, title before body), as
 * FTS5's `snippet()` with column -1 picks it, cut to about 16 words around the matches.
 */
function snippetSelect(index: EntityIndex): string {
  const columns = index.columns
    .map((c, i) => `(${i}, e.${c}${c === 'user_stories' ? '::text' : ''}, '${'ABCD'[i]}')`)
    .join(', ');
  return `SELECT e.pk, c.text, ts_headline('${SEARCH_CONFIG}', c.text, to_tsquery('${SEARCH_CONFIG}', @query::text), '${HEADLINE_OPTIONS}') AS snippet
    FROM ${index.table} e CROSS JOIN LATERAL (
      SELECT v.text FROM (VALUES ${columns}) AS v(i, text, w) WHERE v.text IS NOT NULL AND v.text <> ''
      ORDER BY ts_rank_cd(${RANK_WEIGHTS}, setweight(to_tsvector('${SEARCH_CONFIG}', v.text), v.w::"char"),
        to_tsquery('${SEARCH_CONFIG}', @any::text)) DESC, v.i
      LIMIT 1) c
    WHERE e.customer_id = @customerId AND e.pk = ANY(@pks::int[])`;
}

interface WalkRow {
  total: number | string;
  pk: number | null;
  entity_id: number;
  product_id: number;
  title: string;
  score: number;
  title_match: boolean;
}

interface Candidate {
  readonly type: SearchEntityType;
  readonly pk: number;
  readonly entity_id: number;
  readonly product_id: number;
  readonly title: string;
  readonly score: number;
  readonly title_match: boolean;
}

function clamp(value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.trunc(value)));
}

/** Title matches first, then the higher score, then entity type, then entity id. */
function compare(a: Candidate, b: Candidate): number {
  return (
    Number(b.title_match) - Number(a.title_match) ||
    b.score - a.score ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) ||
    a.entity_id - b.entity_id
  );
}

/** FTS5's snippet marks a cut with `…`; `ts_headline` does not, so the ends are compared with the text. */
function withEllipses(snippet: string, text: string): string {
  const plain = snippet.replace(/\*\*/g, '').trim();
  const words = (s: string) => s.split(/\s+/).filter(Boolean);
  const all = words(text);
  const cut = words(plain);
  const head = cut.length > 0 && all.slice(0, cut.length).join(' ') !== cut.join(' ');
  const tail = cut.length > 0 && all.slice(-cut.length).join(' ') !== cut.join(' ');
  return `${head ? '…' : ''}${snippet.trim()}${tail ? '…' : ''}`;
}

export function createPgMirrorSearch(pool: pg.Pool, customerId: number, logger?: Logger): SearchPort {
  return { search: (options) => searchPg(pool, customerId, options, { logger }) };
}

/**
 * The tenant's search in `simple` mode with the prefix switch (the shape of `createSearchIndex`), for
 * what `openDatabase` hands out as `search` on SQLite.
 */
export function createPgSearchIndex(pool: pg.Pool, customerId: number, logger?: Logger): SearchIndex {
  return {
    search: (options: SearchOptions): Promise<SearchResult> =>
      searchPg(
        pool,
        customerId,
        { ...options, mode: 'simple' },
        { prefix: options.prefix ?? true, logger },
      ).then((result) => ({ ...result, results: [...result.results] })),
  };
}

export async function searchPg(
  pool: pg.Pool,
  customerId: number,
  options: SearchPortOptions,
  extra: { readonly prefix?: boolean; readonly logger?: Logger | undefined } = {},
): Promise<SearchPortResult> {
  try {
    return await runSearch(pool, customerId, options, extra.prefix ?? true);
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    if (error instanceof FtsSyntaxError) {
      throw new InvalidInputError({
        message: 'Invalid search syntax',
        field: 'query',
        reason: 'The query is not a valid FTS5 expression (operators AND, OR, NOT, "phrases", prefix*)',
        hint: "Fix the expression, or use match_mode='simple' to search the words as typed",
      });
    }
    // Every expression is parsed and re-quoted before PostgreSQL sees it; anything reaching here is
    // unexpected. The driver's message is logged, never shown.
    extra.logger?.error({ err: error }, 'full-text search failed');
    throw new InvalidInputError({
      message: 'The search could not be run for this text',
      field: 'query',
      reason: 'The full-text index rejected the query',
      hint: 'Try fewer or simpler words',
    });
  }
}

async function runSearch(
  pool: pg.Pool,
  customerId: number,
  options: SearchPortOptions,
  prefix: boolean,
): Promise<SearchPortResult> {
  const { types, match, dated } = searchRequest(options, prefix);
  const indexes = PG_SEARCH_INDEXES.filter((i) => types.includes(i.type) && (!dated || i.date !== null));
  const productIds = options.productIds;
  if (match === null || indexes.length === 0 || (productIds !== undefined && productIds.length === 0)) {
    return { match, total: 0, totalIsLowerBound: false, results: [] };
  }
  // Parsed (and every column filter checked against every index) before anything runs, as FTS5 does.
  const tree: FtsNode = parseFtsExpression(match);
  const queries = indexes.map((index) => ({ index, ...toTsQueries(tree, index.columns) }));

  const limit = clamp(options.limit, 1, MAX_SEARCH_LIMIT, DEFAULT_SEARCH_LIMIT);
  const offset = clamp(options.offset, 0, Number.MAX_SAFE_INTEGER, 0);
  const filters: Filters = {
    products: productIds !== undefined,
    from: options.from !== undefined,
    to: options.to !== undefined,
  };
  const cap = Math.max(SEARCH_CANDIDATES_PER_ENTITY, offset + limit);
  const walk = Math.max(SEARCH_COUNT_CAP, cap);
  const base: Record<string, unknown> = { customerId, walk, cap };
  if (filters.products) base['productIds'] = [...(productIds ?? [])];
  if (options.from) base['from'] = options.from;
  if (options.to) base['to'] = options.to;

  return readSnapshot(pool, async (client) => {
    const run = async <T>(sql: string, params: Record<string, unknown>): Promise<T[]> => {
      const { text: statement, values } = namedToPositional(sql, params);
      return (await client.query(statement, values)).rows as T[];
    };
    let total = 0;
    let lowerBound = false;
    const candidates: Candidate[] = [];
    for (const { index, query, title } of queries) {
      if (query === null) continue;
      const rows = await run<WalkRow>(walkSelect(index, filters, title !== null), {
        ...base,
        query,
        ...(title !== null ? { title } : {}),
      });
      const count = Number(rows[0]?.total ?? 0);
      total += count;
      if (count >= walk) lowerBound = true;
      for (const r of rows) {
        if (r.pk === null) continue;
        candidates.push({
          type: index.type,
          pk: r.pk,
          entity_id: r.entity_id,
          product_id: r.product_id,
          title: r.title,
          score: Number(r.score),
          title_match: r.title_match === true,
        });
      }
    }
    if (total === 0 || offset >= total) return { match, total, totalIsLowerBound: lowerBound, results: [] };
    candidates.sort(compare);
    const page = candidates.slice(offset, offset + limit);

    const snippets = new Map<string, string>();
    for (const { index, query, any } of queries) {
      const pks = page.filter((r) => r.type === index.type).map((r) => r.pk);
      if (pks.length === 0 || query === null) continue;
      const found = await run<{ pk: number; text: string; snippet: string | null }>(snippetSelect(index), {
        customerId,
        query,
        any: any ?? '',
        pks,
      });
      for (const s of found) {
        if (s.snippet) snippets.set(`${index.type}:${s.pk}`, withEllipses(s.snippet, s.text));
      }
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
        title_match: r.title_match,
      })),
    };
  });
}
