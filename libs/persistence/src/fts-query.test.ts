import { describe, expect, it } from 'vitest';
import { toFtsMatchQuery } from './fts-query.js';

describe('toFtsMatchQuery', () => {
  it('quotes each term and matches prefixes', () => {
    expect(toFtsMatchQuery('login button')).toBe('"login"* "button"*');
    expect(toFtsMatchQuery('login', { prefix: false })).toBe('"login"');
  });

  it('neutralises FTS5 operators and syntax typed by a user', () => {
    expect(toFtsMatchQuery('cart AND NEAR(checkout')).toBe('"cart"* "AND"* "NEAR"* "checkout"*');
    expect(toFtsMatchQuery('"unbalanced quote')).toBe('"unbalanced"* "quote"*');
    expect(toFtsMatchQuery('pre-order -crash title:foo')).toBe('"pre"* "order"* "crash"* "title"* "foo"*');
  });

  it('keeps non-latin words', () => {
    expect(toFtsMatchQuery('Größe ändern 注文')).toBe('"Größe"* "ändern"* "注文"*');
  });

  it('returns null when nothing is searchable', () => {
    expect(toFtsMatchQuery('  ()"*-  ')).toBeNull();
    expect(toFtsMatchQuery('')).toBeNull();
  });

  it('matches short terms whole when asked to', () => {
    expect(toFtsMatchQuery('e-mail', { minPrefixLength: 2 })).toBe('"e" "mail"*');
  });

  it('caps the number of terms', () => {
    expect(toFtsMatchQuery('a b c d', { maxTerms: 2 })).toBe('"a"* "b"*');
  });
});
