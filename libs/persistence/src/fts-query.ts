/**
 * Turns user text into a safe FTS5 MATCH expression. Every term is quoted, so FTS5 syntax typed by a
 * user (`AND`, `NEAR`, `-`, `:`, quotes, parentheses, `*`) is searched for as text and can never
 * make the query fail or change its meaning.
 */

export interface FtsQueryOptions {
  /** Match terms as prefixes (`log` finds `login`). Default true. */
  readonly prefix?: boolean;
  /** Upper bound on terms, so a pasted novel does not become a giant query. Default 32. */
  readonly maxTerms?: number;
  /**
   * Shorter terms are matched as whole words even with `prefix` (a one-letter prefix matches nearly
   * every document of a large index). Default 1: every term is a prefix.
   */
  readonly minPrefixLength?: number;
}

const TERM = /[\p{L}\p{N}_]+/gu;

/** Returns null when the text holds no searchable term (only punctuation or whitespace). */
export function toFtsMatchQuery(text: string, options: FtsQueryOptions = {}): string | null {
  const { prefix = true, maxTerms = 32, minPrefixLength = 1 } = options;
  const terms = (text.normalize('NFKC').match(TERM) ?? []).slice(0, maxTerms);
  if (terms.length === 0) return null;
  // Terms hold only letters, digits and `_`, so quoting cannot be broken out of.
  return terms
    .map((term) => `"${term}"${prefix && [...term].length >= minPrefixLength ? '*' : ''}`)
    .join(' ');
}
