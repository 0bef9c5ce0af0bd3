import { describe, expect, it } from 'vitest';
import { InvalidInputError } from './errors.js';
import { parseFlexibleDate } from './dates.js';

const now = new Date('2026-11-22T15:30:00.000Z'); // a Sunday in Q4
const start = (input: string) => parseFlexibleDate(input, { startOfDay: true, now }).toISOString();
const end = (input: string) => parseFlexibleDate(input, { startOfDay: false, now }).toISOString();

describe('parseFlexibleDate', () => {
  it('reads ISO dates as whole UTC days', () => {
    expect(start('2025-01-31')).toBe('2025-01-31T00:00:00.000Z');
    expect(end('2025-01-31')).toBe('2025-01-31T23:59:59.999Z');
  });

  it('keeps ISO timestamps, reading a missing offset as UTC', () => {
    expect(start('2025-01-31T12:00:00+02:00')).toBe('2025-01-31T10:00:00.000Z');
    expect(start('2025-01-31T12:00:00')).toBe('2025-01-31T12:00:00.000Z');
  });

  it('understands relative days, weeks, months and years', () => {
    expect(start('today')).toBe('2026-11-22T00:00:00.000Z');
    expect(start('yesterday')).toBe('2026-11-21T00:00:00.000Z');
    expect(start('last 30 days')).toBe('2026-10-23T00:00:00.000Z');
    expect(start('90 days ago')).toBe('2026-08-24T00:00:00.000Z');
    expect(start('2 weeks ago')).toBe('2026-11-08T00:00:00.000Z');
    expect(start('Last 3  Months')).toBe('2026-08-22T00:00:00.000Z');
    expect(start('1 year ago')).toBe('2025-11-22T00:00:00.000Z');
  });

  it('understands calendar periods, with quarters and Monday-based weeks', () => {
    expect(start('this quarter')).toBe('2026-10-01T00:00:00.000Z');
    expect(start('last quarter')).toBe('2026-07-01T00:00:00.000Z');
    expect(end('last quarter')).toBe('2026-09-30T23:59:59.999Z');
    expect(start('this week')).toBe('2026-11-16T00:00:00.000Z');
    expect(start('last month')).toBe('2026-10-01T00:00:00.000Z');
    expect(end('last month')).toBe('2026-10-31T23:59:59.999Z');
    expect(start('this year')).toBe('2026-01-01T00:00:00.000Z');
    expect(end('this month')).toBe('2026-11-22T23:59:59.999Z');
  });

  it('refuses a bare year with the three-part explanation', () => {
    try {
      start('2025');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).toUserText()).toBe(
        "❌ Ambiguous year-only input: '2025'\n" +
          'ℹ️ Year-only dates are not supported (unclear if you mean Jan 1 or entire year)\n' +
          "💡 Use ISO format ('2025-01-01') for specific dates, or natural language ('this year', 'last year') for year ranges",
      );
    }
  });

  it('refuses nonsense, impossible days and out-of-range years, naming the field', () => {
    expect(() => parseFlexibleDate('next blue moon', { startOfDay: true, now, field: 'since' })).toThrow(
      /Could not parse date: 'next blue moon'/,
    );
    expect(() => start('2025-02-30')).toThrow(/Invalid calendar date/);
    expect(() => start('1800-01-01')).toThrow(/Invalid date year: 1800/);
    try {
      parseFlexibleDate('xyz', { startOfDay: true, now, field: 'since' });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidInputError).field).toBe('since');
    }
  });
});
