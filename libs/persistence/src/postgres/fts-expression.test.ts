import { describe, expect, it } from 'vitest';
import { toFtsMatchQuery } from '../fts-query.js';
import { FtsSyntaxError, parseFtsExpression, toTsQueries } from './fts-expression.js';

const BUG = ['title', 'steps', 'actual_result', 'expected_result'];
const PRODUCT = ['title', 'description'];
const ts = (expression: string, columns = BUG) => toTsQueries(parseFtsExpression(expression), columns);

describe('FTS5 expressions as tsquery text', () => {
  it('writes the simple mode’s quoted prefix words as an AND of prefixes', () => {
    const match = toFtsMatchQuery('e-mail login', { minPrefixLength: 2 }) ?? '';
    expect(ts(match)).toEqual({
      query: "(('e' & 'mail':*) & 'login':*)",
      title: "'e':A | 'mail':*A | 'login':*A",
      any: "'e' | 'mail':* | 'login':*",
    });
  });

  it('reads AND, OR, NOT with FTS5 precedence (NOT > AND > OR), parentheses and phrases', () => {
    expect(ts('a OR b c').query).toBe("('a' | ('b' & 'c'))");
    expect(ts('a AND b NOT c').query).toBe("('a' & ('b' & !'c'))");
    expect(ts('(a OR b) AND "two words"*').query).toBe("(('a' | 'b') & ('two' <-> 'words':*))");
    expect(ts('one + two').query).toBe("('one' <-> 'two')");
    // The NOT side is no title match and no snippet phrase.
    expect(ts('a NOT b').title).toBe("'a':A");
  });

  it('maps column filters to the weights of the index’s columns, and refuses unknown columns', () => {
    expect(ts('title:crash').query).toBe("'crash':A");
    expect(ts('{steps actual_result}:crash*').query).toBe("'crash':*BC");
    expect(ts('-title:crash').query).toBe("'crash':BCD");
    expect(ts('title:crash', PRODUCT).query).toBe("'crash':A");
    expect(ts('steps:crash').title).toBeNull();
    expect(() => ts('steps:crash', PRODUCT)).toThrow(FtsSyntaxError);
    // Nested filters intersect: nothing is left, so nothing matches.
    expect(ts('title:(steps:crash)').query).toBeNull();
  });

  it('reads NEAR groups as AND and ignores ^', () => {
    expect(ts('NEAR(checkout login, 5)').query).toBe("('checkout' & 'login')");
    expect(ts('^checkout').query).toBe("'checkout'");
  });

  it('reports FTS5 syntax errors', () => {
    for (const bad of [
      'checkout AND (',
      'AND',
      'a OR',
      '"open',
      'a - b',
      'e-mail',
      'NEAR(',
      '(',
      ')',
      '*',
      'a,b',
    ]) {
      expect(() => parseFtsExpression(bad), bad).toThrow(FtsSyntaxError);
    }
  });

  it('only ever puts words of letters, digits and _ between quotes', () => {
    const q = ts(`"it's a \\' ' quote" OR "'; DROP TABLE bugs; --"`).query ?? '';
    expect(q).toBe("(('it' <-> 's' <-> 'a' <-> 'quote') | ('DROP' <-> 'TABLE' <-> 'bugs'))");
  });

  it('ignores phrases without words (as FTS5 does) and matches nothing for words too long to index', () => {
    expect(ts('""').query).toBeNull();
    expect(ts('checkout ""').query).toBe("'checkout'");
    expect(ts('checkout OR ""').query).toBe("'checkout'");
    expect(ts(`"${'x'.repeat(3000)}" OR checkout`).query).toBe("'checkout'");
    expect(ts(`"${'x'.repeat(3000)}" checkout`).query).toBeNull();
  });
});
