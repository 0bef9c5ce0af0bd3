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

/**
 * The pagination block: exact `total_count`, and `has_more` from it (never guessed from a full page).
 * A page past the end is an empty page, not an error (the reference's behaviour, and what a client
 * walking pages expects); its `hint` names the last page so a model does not read it as "no data".
 */
export function buildPagination(page: ResolvedPage, returned: number, total: number): Pagination {
  const pastTheEnd = returned === 0 && page.offset > 0 && page.offset >= total;
  return {
    page: page.page,
    per_page: page.perPage,
    offset: page.offset,
    start_index: page.offset,
    end_index: returned > 0 ? page.offset + returned - 1 : -1,
    total_count: total,
    has_more: page.offset + returned < total,
    ...(pastTheEnd ? { hint: pastTheEndHint(page, total) } : {}),
  };
}

function pastTheEndHint(page: ResolvedPage, total: number): string {
  if (total === 0)
    return `Nothing matches these filters, so there is no page ${page.page}: ask for page 1 with offset=0, or loosen the filters.`;
  const lastPage = Math.ceil(total / page.perPage);
  const results = total === 1 ? '1 result' : `${total} results`;
  return `This page starts at item ${page.offset}, past the end: there are ${results}, so the last page with per_page=${page.perPage} is ${lastPage} (offset=0).`;
}
