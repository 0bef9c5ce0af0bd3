/**
 * The FTS5 query language (https://sqlite.org/fts5.html#full_text_query_syntax) read into a tree and
 * written out as PostgreSQL `to_tsquery` text, so `match_mode: raw` takes the same expressions on both
 * engines and the simple mode (`toFtsMatchQuery`, every word quoted) runs through the same path.
 *
 * - phrases (`word`, `"two words"`, `a + b`) → `'a' <-> 'b'`; a trailing `*` → `:*` on the last word;
 * - `AND` (or nothing) → `&`, `OR` → `|`, `a NOT b` → `a & !b`; precedence NOT > AND > OR, parentheses;
 * - column filters (`title:x`, `{goal steps}:x`, `-title:x`) → weight labels: each index's columns carry
 *   the weights A, B, C, D in order (the migration's `setweight`), so `title:` is `:A`; a column the
 *   index lacks is an error, as FTS5 says "no such column";
 * - `NEAR(a b, N)` → `a & b` (PostgreSQL has no "within N"), `^` (first word of a column) is ignored:
 *   both match a superset of what FTS5 matches (ADR 0030).
 *
 * Words are runs of letters, digits and `_` (NFKC first); nothing typed by a user reaches `to_tsquery`
 * except such words inside single quotes, so the output is always valid. A word PostgreSQL cannot index
 * (over 2047 bytes) matches nothing.
 */

export class FtsSyntaxError extends Error {
  override readonly name = 'FtsSyntaxError';
}

type Weights = string; // subset of 'ABCD'

export type FtsNode =
  | { readonly kind: 'phrase'; readonly words: readonly string[]; readonly prefix: boolean }
  | { readonly kind: 'and' | 'or' | 'not'; readonly left: FtsNode; readonly right: FtsNode }
  | { readonly kind: 'near'; readonly phrases: readonly FtsNode[] }
  | {
      readonly kind: 'columns';
      readonly names: readonly string[];
      readonly negate: boolean;
      readonly child: FtsNode;
    };

type Token =
  | { readonly t: 'string'; readonly text: string; readonly bare: boolean }
  | { readonly t: '(' | ')' | '*' | '+' | '^' | ':' | '{' | '}' | ',' | '-' };

const WORD = /[\p{L}\p{N}_]+/gu;
/** FTS5 barewords: ASCII letters, digits, `_`, and any non-ASCII character (and 0x1A, which FTS5 allows too). */
const BARE = /[A-Za-z0-9_\u0080-\u{10FFFF}]/u;
const isBare = (c: string): boolean => BARE.test(c) || c === '\u001a';
const PUNCT = new Set(['(', ')', '*', '+', '^', ':', '{', '}', ',', '-']);
/** PostgreSQL's limit on one lexeme (longer words are never indexed). */
const MAX_WORD_BYTES = 2047;

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const chars = [...text];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    if (/\s/u.test(c)) {
      i += 1;
    } else if (c === '"') {
      let s = '';
      i += 1;
      for (;;) {
        if (i >= chars.length) throw new FtsSyntaxError('unterminated string');
        if (chars[i] === '"') {
          if (chars[i + 1] === '"') {
            s += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        s += chars[i];
        i += 1;
      }
      out.push({ t: 'string', text: s, bare: false });
    } else if (PUNCT.has(c)) {
      out.push({ t: c as '(' });
      i += 1;
    } else if (isBare(c)) {
      let s = '';
      while (i < chars.length && isBare(chars[i] as string)) {
        s += chars[i];
        i += 1;
      }
      out.push({ t: 'string', text: s, bare: true });
    } else {
      throw new FtsSyntaxError(`syntax error near "${c}"`);
    }
  }
  return out;
}

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'NEAR']);

/** Parses an FTS5 expression; throws `FtsSyntaxError` where FTS5 would report a syntax error. */
export function parseFtsExpression(text: string): FtsNode {
  const tokens = tokenize(text.normalize('NFKC'));
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isKeyword = (tok: Token | undefined, word: string): boolean =>
    tok?.t === 'string' && tok.bare && tok.text === word;
  const expect = (t: Token['t']): void => {
    if (peek()?.t !== t) throw new FtsSyntaxError(`syntax error: expected "${t}"`);
    pos += 1;
  };

  const phrase = (): FtsNode => {
    const words: string[] = [];
    let prefix = false;
    for (;;) {
      const tok = peek();
      if (tok?.t !== 'string' || (tok.bare && KEYWORDS.has(tok.text))) {
        throw new FtsSyntaxError('syntax error: expected a word or a "phrase"');
      }
      pos += 1;
      words.push(...(tok.text.match(WORD) ?? []));
      prefix = false;
      if (peek()?.t === '*') {
        pos += 1;
        prefix = true;
      }
      if (peek()?.t !== '+') break;
      pos += 1;
    }
    return { kind: 'phrase', words, prefix };
  };

  const startsQuery = (tok: Token | undefined): boolean =>
    tok !== undefined &&
    (tok.t === '(' ||
      tok.t === '{' ||
      tok.t === '-' ||
      tok.t === '^' ||
      (tok.t === 'string' && !(tok.bare && ['AND', 'OR', 'NOT'].includes(tok.text))));

  const unary = (): FtsNode => {
    const tok = peek();
    // Column filter: `col:`, `{a b}:`, `-col:`, `-{a b}:`.
    let negate = false;
    let names: string[] | null = null;
    if (tok?.t === '-') {
      negate = true;
      pos += 1;
    }
    const next = peek();
    if (next?.t === '{') {
      pos += 1;
      names = [];
      while (peek()?.t === 'string') names.push((tokens[pos++] as { text: string }).text);
      expect('}');
      expect(':');
    } else if (next?.t === 'string' && next.bare && tokens[pos + 1]?.t === ':') {
      names = [next.text];
      pos += 2;
    } else if (negate) {
      throw new FtsSyntaxError('syntax error near "-"');
    }
    const body = (): FtsNode => {
      const head = peek();
      if (head?.t === '(') {
        pos += 1;
        const inner = orExpr();
        expect(')');
        return inner;
      }
      if (isKeyword(head, 'NEAR') && tokens[pos + 1]?.t === '(') {
        pos += 2;
        const phrases: FtsNode[] = [];
        while (peek()?.t === 'string' || peek()?.t === '^') {
          if (peek()?.t === '^') pos += 1;
          phrases.push(phrase());
        }
        if (phrases.length === 0) throw new FtsSyntaxError('syntax error: empty NEAR group');
        if (peek()?.t === ',') {
          pos += 1;
          const n = peek();
          if (n?.t !== 'string' || !/^[0-9]+$/.test(n.text)) {
            throw new FtsSyntaxError('syntax error: NEAR distance must be a number');
          }
          pos += 1;
        }
        expect(')');
        return { kind: 'near', phrases };
      }
      if (head?.t === '^') pos += 1;
      return phrase();
    };
    const child = body();
    return names === null ? child : { kind: 'columns', names, negate, child };
  };

  const notExpr = (): FtsNode => {
    let left = unary();
    while (isKeyword(peek(), 'NOT')) {
      pos += 1;
      left = { kind: 'not', left, right: unary() };
    }
    return left;
  };

  const andExpr = (): FtsNode => {
    let left = notExpr();
    for (;;) {
      if (isKeyword(peek(), 'AND')) {
        pos += 1;
        left = { kind: 'and', left, right: notExpr() };
      } else if (startsQuery(peek())) {
        left = { kind: 'and', left, right: notExpr() };
      } else {
        return left;
      }
    }
  };

  function orExpr(): FtsNode {
    let left = andExpr();
    while (isKeyword(peek(), 'OR')) {
      pos += 1;
      left = { kind: 'or', left, right: andExpr() };
    }
    return left;
  }

  if (tokens.length === 0) throw new FtsSyntaxError('empty expression');
  const tree = orExpr();
  if (pos < tokens.length) throw new FtsSyntaxError('syntax error: unexpected text after the expression');
  return tree;
}

export interface TsQueries {
  /** The `to_tsquery` text of the whole expression, or null when it can match nothing. */
  readonly query: string | null;
  /** Its positive phrases restricted to the title (weight A), OR-ed: "the title matched" (FTS5's title-only BM25 < 0). */
  readonly title: string | null;
  /** Its positive phrases, OR-ed (with their column filters): "this column holds a match", for snippets. */
  readonly any: string | null;
}

const WEIGHTS = 'ABCD';

/**
 * The expression for one index whose columns are `columns` (weights A, B, C, D in order). Throws
 * `FtsSyntaxError` for a column filter naming a column the index lacks.
 */
export function toTsQueries(tree: FtsNode, columns: readonly string[]): TsQueries {
  const all = WEIGHTS.slice(0, columns.length);
  const weightsOf = (names: readonly string[]): Weights =>
    names
      .map((name) => {
        const i = columns.indexOf(name);
        if (i < 0) throw new FtsSyntaxError(`no such column: ${name}`);
        return WEIGHTS[i] as string;
      })
      .join('');
  const titlePhrases: string[] = [];
  const anyPhrases: string[] = [];

  /** `''` for a phrase without words (FTS5 ignores it), null for one that can match nothing. */
  const phraseText = (words: readonly string[], prefix: boolean, weights: Weights): string | null => {
    if (words.length === 0) return '';
    if (weights === '' || words.some((w) => Buffer.byteLength(w, 'utf8') > MAX_WORD_BYTES)) return null;
    const label = weights === all ? '' : weights;
    const text = words
      .map((w, i) => `'${w}'${i === words.length - 1 && prefix ? `:*${label}` : label ? `:${label}` : ''}`)
      .join(' <-> ');
    return words.length > 1 ? `(${text})` : text;
  };

  // '' = no condition (an empty phrase, ignored as FTS5 ignores it), null = matches nothing.
  const and = (l: string | null, r: string | null): string | null =>
    l === null || r === null ? null : l === '' ? r : r === '' ? l : `(${l} & ${r})`;

  const render = (node: FtsNode, weights: Weights, positive: boolean): string | null => {
    switch (node.kind) {
      case 'phrase': {
        const text = phraseText(node.words, node.prefix, weights);
        if (positive && text) anyPhrases.push(text);
        if (positive && weights.includes('A')) {
          const title = phraseText(node.words, node.prefix, 'A');
          if (title) titlePhrases.push(title);
        }
        return text;
      }
      case 'near':
        return node.phrases.reduce<string | null>((acc, p) => and(acc, render(p, weights, positive)), '');
      case 'columns': {
        const named = weightsOf(node.names);
        const chosen = node.negate ? [...all].filter((w) => !named.includes(w)).join('') : named;
        const inner = [...weights].filter((w) => chosen.includes(w)).join('');
        return render(node.child, inner, positive);
      }
      case 'and':
        return and(render(node.left, weights, positive), render(node.right, weights, positive));
      case 'or': {
        const l = render(node.left, weights, positive);
        const r = render(node.right, weights, positive);
        return !l ? (r ?? l) : !r ? l : `(${l} | ${r})`;
      }
      case 'not': {
        const l = render(node.left, weights, positive);
        const r = render(node.right, weights, false);
        return !l ? l : !r ? l : `(${l} & !${r})`;
      }
    }
  };

  const rendered = render(tree, all, true);
  const query = rendered === '' ? null : rendered;
  return {
    query,
    title: query === null || titlePhrases.length === 0 ? null : titlePhrases.join(' | '),
    any: query === null || anyPhrases.length === 0 ? null : anyPhrases.join(' | '),
  };
}
