import { en as chronoEn } from 'chrono-node';
import { InvalidInputError } from './errors.js';

/**
 * Forgiving date input, as AI clients and people type it: ISO dates and timestamps, `today`,
 * `yesterday`, `last 30 days`, `90 days ago`, `this quarter`, and the common English forms
 * ("Jan 15 2025", "15 January 2025", "2025/01/15", "last Friday", "two weeks ago"), which go to
 * chrono-node, a maintained parser, rather than to more regular expressions of ours. Everything is UTC.
 * Refused, with the three-part error: a bare year ("2025": its first day or the whole year?) and
 * numeric dates whose day and month can be swapped ("01/02/2025": 2 January or 1 February?).
 * docs/dates.md is the grammar.
 */

export interface FlexibleDateOptions {
  /** `true`: the start of the day the input names (00:00:00.000); `false`: its end (23:59:59.999). */
  readonly startOfDay: boolean;
  readonly now: Date;
  /** Names the input in error messages, e.g. `start_date` or `--since`. */
  readonly field?: string;
}

const UNITS = {
  day: 'day',
  days: 'day',
  week: 'week',
  weeks: 'week',
  month: 'month',
  months: 'month',
  year: 'year',
  years: 'year',
} as const;
type Unit = (typeof UNITS)[keyof typeof UNITS];

const SUPPORTED =
  "ISO dates ('2025-01-31'), ISO timestamps ('2025-01-31T12:00:00Z'), 'Jan 15 2025', '15 January 2025', '2025/01/15', 'today', 'yesterday', 'last Friday', 'last 30 days', '3 weeks ago', 'last week', 'this month', 'last quarter', 'this year' (see docs/dates.md)";

function utcDay(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month, day));
}

function startOfUtcDay(d: Date): Date {
  return utcDay(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

function endOfUtcDay(d: Date): Date {
  return new Date(startOfUtcDay(d).getTime() + 86_400_000 - 1);
}

function shift(d: Date, amount: number, unit: Unit): Date {
  const r = new Date(d.getTime());
  switch (unit) {
    case 'day':
      r.setUTCDate(r.getUTCDate() + amount);
      break;
    case 'week':
      r.setUTCDate(r.getUTCDate() + 7 * amount);
      break;
    case 'month':
      r.setUTCMonth(r.getUTCMonth() + amount);
      break;
    case 'year':
      r.setUTCFullYear(r.getUTCFullYear() + amount);
      break;
  }
  return r;
}

/** The first day of the period containing `d` (ISO weeks start on Monday). */
function periodStart(d: Date, unit: Unit | 'quarter'): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (unit) {
    case 'day':
      return startOfUtcDay(d);
    case 'week': {
      const dow = (d.getUTCDay() + 6) % 7;
      return utcDay(y, m, d.getUTCDate() - dow);
    }
    case 'month':
      return utcDay(y, m, 1);
    case 'quarter':
      return utcDay(y, m - (m % 3), 1);
    case 'year':
      return utcDay(y, 0, 1);
  }
}

function periodLength(unit: Unit | 'quarter'): [number, Unit] {
  return unit === 'quarter' ? [3, 'month'] : [1, unit];
}

function invalid(what: string, why: string, next: string, field?: string): InvalidInputError {
  return new InvalidInputError({ message: what, reason: why, hint: next, ...(field ? { field } : {}) });
}

function checkYear(d: Date, input: string, field?: string): Date {
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 1900 || year > 2100) {
    throw invalid(
      `Invalid date year: ${Number.isNaN(year) ? input : year}`,
      'Year must be between 1900 and 2100',
      `Check your date input: '${input}'`,
      field,
    );
  }
  return d;
}

export function parseFlexibleDate(input: string, options: FlexibleDateOptions): Date {
  const { startOfDay, now, field } = options;
  const text = input.trim().toLowerCase().replace(/\s+/g, ' ');
  const edge = (d: Date): Date => (startOfDay ? startOfUtcDay(d) : endOfUtcDay(d));

  if (text === '') {
    throw invalid(
      'Empty date',
      `Supported formats: ${SUPPORTED}`,
      'Give a date, or leave the field out',
      field,
    );
  }
  if (/^\d{4}$/.test(text)) {
    throw invalid(
      `Ambiguous year-only input: '${input.trim()}'`,
      'Year-only dates are not supported (unclear if you mean Jan 1 or entire year)',
      "Use ISO format ('2025-01-01') for specific dates, or natural language ('this year', 'last year') for year ranges",
      field,
    );
  }
  const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (isoDate) {
    const [, y, m, d] = isoDate.map(Number) as [number, number, number, number];
    const date = utcDay(y, m - 1, d);
    if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
      throw invalid(
        `Invalid calendar date: '${input.trim()}'`,
        'That day does not exist',
        "Use a real date such as '2025-02-28'",
        field,
      );
    }
    return edge(checkYear(date, input, field));
  }
  if (/^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}/.test(text)) {
    if (!/(z|[+-]\d{2}:?\d{2})$/.test(text)) {
      // A timestamp without an offset is read as UTC, the zone every stored timestamp uses.
      return checkYear(new Date(`${text.replace(' ', 't').toUpperCase()}Z`), input, field);
    }
    return checkYear(new Date(input.trim()), input, field);
  }
  if (text === 'today' || text === 'now') return text === 'now' ? now : edge(now);
  if (text === 'yesterday') return edge(shift(now, -1, 'day'));
  if (text === 'tomorrow') return edge(shift(now, 1, 'day'));

  const ago =
    /^(\d+) (days?|weeks?|months?|years?) ago$/.exec(text) ??
    /^(?:last|past) (\d+) (days?|weeks?|months?|years?)$/.exec(text);
  if (ago) {
    const amount = Number(ago[1]);
    const unit = UNITS[ago[2] as keyof typeof UNITS];
    return edge(checkYear(shift(now, -amount, unit), input, field));
  }
  // "last week" / "last month" / "last year" roll back from now, as in the reference (7 days, one
  // month, one year); "previous ..." names the calendar period before this one. "last quarter" is the
  // previous calendar quarter in both products.
  const rolling = /^last (week|month|year)$/.exec(text);
  if (rolling) return edge(shift(now, -1, rolling[1] as Unit));
  const period = /^(this|last|previous|current) (week|month|quarter|year)$/.exec(text);
  if (period) {
    const unit = period[2] as Unit | 'quarter';
    const [len, lenUnit] = periodLength(unit);
    const current = periodStart(now, unit);
    const start = period[1] === 'last' || period[1] === 'previous' ? shift(current, -len, lenUnit) : current;
    // "this month" as a start is its first day; as an end, the end of the period (or today, if sooner).
    if (startOfDay) return start;
    const periodEnd = new Date(shift(start, len, lenUnit).getTime() - 1);
    return period[1] === 'this' || period[1] === 'current'
      ? new Date(Math.min(periodEnd.getTime(), endOfUtcDay(now).getTime()))
      : periodEnd;
  }
  const numeric = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(text);
  if (numeric && Number(numeric[1]) <= 12 && Number(numeric[2]) <= 12 && numeric[1] !== numeric[2]) {
    throw invalid(
      `Ambiguous date: '${input.trim()}'`,
      `'${numeric[1]}' and '${numeric[2]}' can each be the day or the month (US month/day or day/month order)`,
      "Use ISO format ('2025-01-31') or spell the month out ('31 Jan 2025')",
      field,
    );
  }
  const natural = parseEnglish(text, now, startOfDay);
  if (natural) return checkYear(natural, input, field);
  throw invalid(
    `Could not parse date: '${input.trim()}'`,
    `Supported formats: ${SUPPORTED}`,
    'Try a more specific date format or ISO 8601',
    field,
  );
}

/** Words that point forward; without one, a weekday or month alone means the latest one (not the next). */
const FORWARD = /\b(next|tomorrow|in|from now|coming|this)\b/;

/**
 * The English forms chrono-node understands, read in UTC. Only a parse of the whole input counts (so
 * "next blue moon" is refused rather than read as "next"). A day not given makes the answer the
 * month (or year) named: "January 2025" starts on the 1st and ends on the 31st. Without a year or a
 * forward word, dates are taken from the past, as a report period usually is.
 */
function parseEnglish(text: string, now: Date, startOfDay: boolean): Date | undefined {
  const [result] = chronoEn.casual.parse(text, { instant: now, timezone: 'UTC' }, { forwardDate: false });
  if (!result || result.index !== 0 || result.text.length !== text.length) return undefined;
  const component = !startOfDay && result.end ? result.end : result.start;
  const year = component.get('year');
  const month = component.get('month');
  const day = component.get('day');
  if (year === null || month === null || day === null) return undefined;
  const exact = component.isCertain('hour');
  let date = exact ? component.date() : utcDay(year, month - 1, day);
  if (!exact && date.getUTCMonth() !== month - 1) return undefined;
  const relative = component.tags().has('result/relativeDate');
  if (!FORWARD.test(text) && date.getTime() > now.getTime()) {
    if (component.isCertain('weekday') && !component.isCertain('day')) date = shift(date, -7, 'day');
    else if (!component.isCertain('year') && !relative) date = shift(date, -1, 'year');
  }
  if (exact) return date;
  if (!component.isCertain('day') && !component.isCertain('weekday') && !relative) {
    const unit: Unit | undefined = component.isCertain('month')
      ? 'month'
      : component.isCertain('year')
        ? 'year'
        : undefined;
    if (unit) {
      const first = periodStart(date, unit);
      return startOfDay ? first : new Date(shift(first, 1, unit).getTime() - 1);
    }
  }
  return startOfDay ? startOfUtcDay(date) : endOfUtcDay(date);
}
