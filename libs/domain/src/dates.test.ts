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
    expect(start('previous month')).toBe('2026-10-01T00:00:00.000Z');
    expect(end('previous month')).toBe('2026-10-31T23:59:59.999Z');
    expect(start('previous week')).toBe('2026-11-09T00:00:00.000Z');
    expect(start('this year')).toBe('2026-01-01T00:00:00.000Z');
    expect(end('this month')).toBe('2026-11-22T23:59:59.999Z');
  });

  it("gives 'last week', 'last month' and 'last year' the reference's meaning: that long back from now", () => {
    expect(start('last week')).toBe('2026-11-15T00:00:00.000Z');
    expect(start('last month')).toBe('2026-10-22T00:00:00.000Z');
    expect(start('last year')).toBe('2025-11-22T00:00:00.000Z');
    expect(end('last week')).toBe('2026-11-15T23:59:59.999Z');
  });

  it('reads the common English forms through chrono-node, in UTC', () => {
    for (const input of ['Jan 15 2025', '15 January 2025', '2025/01/15', 'January 15, 2025', '15.01.2025']) {
      expect(start(input), input).toBe('2025-01-15T00:00:00.000Z');
      expect(end(input), input).toBe('2025-01-15T23:59:59.999Z');
    }
    // An unambiguous numeric date in either order.
    expect(start('13/01/2025')).toBe('2025-01-13T00:00:00.000Z');
    expect(start('01/13/2025')).toBe('2025-01-13T00:00:00.000Z');
    // Weekdays and days without a year are the latest ones, never a future date.
    expect(start('last Friday')).toBe('2026-11-20T00:00:00.000Z');
    expect(start('Friday')).toBe('2026-11-20T00:00:00.000Z');
    expect(start('Dec 24')).toBe('2025-12-24T00:00:00.000Z');
    expect(start('two weeks ago')).toBe('2026-11-08T00:00:00.000Z');
    // A month without a day is the whole month.
    expect(start('January 2025')).toBe('2025-01-01T00:00:00.000Z');
    expect(end('January 2025')).toBe('2025-01-31T23:59:59.999Z');
    expect(end('Feb 2024')).toBe('2024-02-29T23:59:59.999Z');
    // A time of day is kept.
    expect(start('Jan 15 2025 3pm')).toBe('2025-01-15T15:00:00.000Z');
  });

  it('refuses numeric dates whose day and month can be swapped', () => {
    try {
      parseFlexibleDate('01/02/2025', { startOfDay: true, now, field: 'start_date' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      const text = (error as InvalidInputError).toUserText();
      expect(text).toMatch(/^❌ Ambiguous date: '01\/02\/2025'\nℹ️ .*day or the month.*\n💡 Use ISO format/u);
      expect((error as InvalidInputError).field).toBe('start_date');
    }
    expect(() => start('3.4.25')).toThrow(/Ambiguous date/);
    expect(start('05/05/2025')).toBe('2025-05-05T00:00:00.000Z');
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
    expect(() => start('Feb 30 2025')).toThrow(/Could not parse date/);
    expect(() => start('Jan 15 2025 and then some')).toThrow(/Could not parse date/);
    expect(() => start('January 1850')).toThrow(/Invalid date year: 1850/);
    expect(() => start('1800-01-01')).toThrow(/Invalid date year: 1800/);
    try {
      parseFlexibleDate('xyz', { startOfDay: true, now, field: 'since' });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidInputError).field).toBe('since');
    }
  });
});
