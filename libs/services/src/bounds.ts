/**
 * Responses stay bounded whatever the data: lists are capped by `per_page`/`limit`, and long text is
 * cut with a visible marker so a model knows it did not see everything.
 */

export const TRUNCATION_MARKER = '…(truncated)';

/** Longest text field in a single-entity answer (goal, instructions, steps, ...). */
export const MAX_DETAIL_TEXT = 2_000;

/** User stories one feature answer lists (get_feature_summary, REST's user-stories listing). */
export const MAX_USER_STORIES = 50;

/** Text budget of one list page, shared by its items' long text fields. */
export const LIST_TEXT_BUDGET = 24_000;

/** Longest text field in a list item, whatever the page size. */
export const MAX_LIST_TEXT = 300;

/** Shortest a list item's text field is cut to, however full the page. */
export const MIN_LIST_TEXT = 40;

/** Cuts `text` to at most `max` characters (marker included); null stays null. */
export function truncate(text: string | null | undefined, max: number): string | null {
  if (text === null || text === undefined) return null;
  if (text.length <= max) return text;
  const keep = Math.max(0, max - TRUNCATION_MARKER.length);
  return `${text.slice(0, keep).trimEnd()}${TRUNCATION_MARKER}`;
}

/**
 * Per-field cap of long text in a list of `items` items with `fields` long text fields each, so the
 * page's text stays within `LIST_TEXT_BUDGET`.
 */
export function listTextCap(items: number, fields: number, max = MAX_LIST_TEXT): number {
  const share = Math.floor(LIST_TEXT_BUDGET / Math.max(1, items * fields));
  return Math.max(MIN_LIST_TEXT, Math.min(max, share));
}
