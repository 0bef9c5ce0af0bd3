import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './stats.js';

describe('latency statistics', () => {
  it('uses nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 95)).toBe(95);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
  });

  it('summarises unsorted samples', () => {
    expect(summarize([30, 10, 20])).toEqual({
      count: 3,
      min: 10,
      p50: 20,
      p95: 30,
      p99: 30,
      max: 30,
      mean: 20,
    });
  });

  it('refuses an empty sample instead of printing NaN', () => {
    expect(() => summarize([])).toThrow(/empty sample/);
  });
});
