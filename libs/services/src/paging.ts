import type { Pagination } from './contracts/common.js';

export interface ResolvedPage {
  readonly page: number;
  readonly perPage: number;
  /** Rows to skip: offset + (page - 1) * perPage. */
  readonly offset: number;
}

/** The effective window of a list request: `offset` ADDS to the page offset, for every list. */
export function resolvePage(
  input: { page: number; per_page?: number | undefined; offset: number },
  defaultPerPage: number,
): ResolvedPage {
  const perPage = input.per_page ?? defaultPerPage;
  return { page: input.page, perPage, offset: input.offset + (input.page - 1) * perPage };
}

/** The pagination block: exact `total_count`, and `has_more` from it (never guessed from a full page). */
export function buildPagination(page: ResolvedPage, returned: number, total: number): Pagination {
  return {
    page: page.page,
    per_page: page.perPage,
    offset: page.offset,
    start_index: page.offset,
    end_index: returned > 0 ? page.offset + returned - 1 : -1,
    total_count: total,
    has_more: page.offset + returned < total,
  };
}
