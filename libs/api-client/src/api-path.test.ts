import { describe, expect, it } from 'vitest';
import { apiPath, ApiPathError, withQuery } from './api-path.js';

describe('apiPath', () => {
  it('interpolates numbers and encodes string values', () => {
    expect(apiPath`products/${598}/sections/${21855}/features`).toBe('products/598/sections/21855/features');
    expect(apiPath`products/${'a/b?c#d'}`).toBe('products/a%2Fb%3Fc%23d');
    expect(apiPath`bugs/${'http://evil.example'}`).toBe('bugs/http%3A%2F%2Fevil.example');
  });

  it('rejects empty, "." and ".." values', () => {
    expect(() => apiPath`products/${''}/features`).toThrow(ApiPathError);
    expect(() => apiPath`products/${'.'}`).toThrow(/must not be empty/);
    expect(() => apiPath`products/${'..'}/x`).toThrow(ApiPathError);
  });

  it('rejects non-finite numbers, leading slashes and empty segments', () => {
    expect(() => apiPath`products/${Number.NaN}`).toThrow(/finite/);
    expect(() => apiPath`/products`).toThrow(/leading/);
    expect(() => apiPath`products//${1}`).toThrow(/empty/);
  });
});

describe('withQuery', () => {
  it('appends encoded params, joins arrays with literal commas, skips undefined', () => {
    expect(withQuery('bugs', { filter_test_cycle_ids: [1, 2, 3] })).toBe('bugs?filter_test_cycle_ids=1,2,3');
    expect(withQuery('products/1/user_stories', { section_id: undefined })).toBe('products/1/user_stories');
    expect(withQuery('x', { page: 2, per_page: 25 })).toBe('x?page=2&per_page=25');
    expect(withQuery('x?a=1', { q: 'a b&c' })).toBe('x?a=1&q=a%20b%26c');
  });
});
