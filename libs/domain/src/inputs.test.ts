import { describe, expect, it } from 'vitest';
import { coerceId, parseIdList, parseStringList, parseTestStatuses } from './inputs.js';

describe('forgiving inputs', () => {
  it('coerces ids given as numbers or numeric strings', () => {
    expect(coerceId(598, 'product_id')).toBe(598);
    expect(coerceId(598.0, 'product_id')).toBe(598);
    expect(coerceId(' 598 ', 'product_id')).toBe(598);
    expect(() => coerceId(598.5, 'product_id')).toThrow(/product_id: '598.5' is not a valid id/);
    expect(() => coerceId(-1, 'product_id')).toThrow(/not a valid id/);
    expect(() => coerceId('abc', 'product_id')).toThrow(/product_id: 'abc' is not a valid id/);
    // Objects without a usable toString are described, not stringified (which would throw).
    expect(() => coerceId({ toString: 1 }, 'product_id')).toThrow(
      /product_id: a value of type object is not a valid id/,
    );
  });

  it('reads id lists in every form AI clients send', () => {
    expect(parseIdList([598, '599'], 'product_ids')).toEqual([598, 599]);
    expect(parseIdList('598, 599', 'product_ids')).toEqual([598, 599]);
    expect(parseIdList('[598, "599"]', 'product_ids')).toEqual([598, 599]);
    expect(parseIdList(598, 'product_ids')).toEqual([598]);
    expect(parseIdList('598,598', 'product_ids')).toEqual([598]);
    expect(parseIdList('', 'product_ids')).toBeUndefined();
    expect(parseIdList([], 'product_ids')).toBeUndefined();
    expect(() => parseIdList('598,x', 'product_ids')).toThrow(/product_ids\[1\]: 'x' is not a valid id/);
  });

  it('reads string lists and validates test statuses', () => {
    expect(parseStringList('running, locked,,', 'statuses')).toEqual(['running', 'locked']);
    expect(parseStringList('["running"]', 'statuses')).toEqual(['running']);
    expect(parseTestStatuses('Running,archived')).toEqual(['running', 'archived']);
    expect(() => parseTestStatuses('running,done')).toThrow(/Invalid status values: 'done'/);
    expect(() => parseStringList([1], 'statuses')).toThrow(/expected text/);
  });
});
