import { InvalidInputError } from './errors.js';
import { TEST_STATUSES, type TestStatus } from './vocabulary.js';

/**
 * Forgiving inputs for the places AI clients are sloppy: ids as numbers or numeric strings, lists as
 * arrays, JSON-array strings or comma strings. Strict about everything else: a value that is not an id
 * is an error that names the field, never a silent skip.
 */

function fail(field: string, message: string, hint: string): never {
  throw new InvalidInputError({ field, message: `${field}: ${message}`, hint });
}

/** `123`, `123.0` and `"123"` are the id 123; `123.5`, `-1`, `"abc"` are errors. */
export function coerceId(value: unknown, field: string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && Number.isSafeInteger(value)) return value;
    fail(
      field,
      `'${value}' is not a valid id (decimal or negative values are not allowed)`,
      'Ids are whole numbers such as 598',
    );
  }
  if (typeof value === 'string' && /^\s*\d+(\.0+)?\s*$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  const shown =
    typeof value === 'string'
      ? `'${value.slice(0, 80)}'`
      : `a value of type ${Array.isArray(value) ? 'array' : typeof value}`;
  fail(field, `${shown} is not a valid id`, 'Ids are whole numbers such as 598');
}

function splitListString(value: string): unknown[] {
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed;
    } catch {
      // Not JSON after all: fall through to the comma form, which reports the bad parts.
    }
  }
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/**
 * An id list from an array, a JSON-array string, a comma string or a single id. Empty input is
 * `undefined` ("not given"); duplicates are dropped, order kept.
 */
export function parseIdList(value: unknown, field: string): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? splitListString(value) : [value];
  if (items.length === 0) return undefined;
  return [...new Set(items.map((item, i) => coerceId(item, `${field}[${i}]`)))];
}

/** A string list from an array, a JSON-array string or a comma string; empty input is `undefined`. */
export function parseStringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : typeof value === 'string' ? splitListString(value) : [value];
  const strings = items.map((item, i) => {
    if (typeof item !== 'string')
      fail(
        `${field}[${i}]`,
        `expected text, got ${typeof item}`,
        'Give a list of words, e.g. "running, locked"',
      );
    return item.trim();
  });
  const nonEmpty = strings.filter((s) => s !== '');
  return nonEmpty.length > 0 ? [...new Set(nonEmpty)] : undefined;
}

/** Test statuses, validated against the filterable vocabulary. */
export function parseTestStatuses(value: unknown, field = 'statuses'): TestStatus[] | undefined {
  const list = parseStringList(value, field);
  if (!list) return undefined;
  const lower = list.map((s) => s.toLowerCase());
  const bad = lower.filter((s) => !(TEST_STATUSES as readonly string[]).includes(s));
  if (bad.length > 0) {
    throw new InvalidInputError({
      field,
      message: `Invalid status values: ${bad.map((b) => `'${b}'`).join(', ')}`,
      reason: `Valid statuses: ${TEST_STATUSES.join(', ')}`,
      hint: 'Use one or more of the valid statuses, as a list or a comma-separated string',
    });
  }
  return lower as TestStatus[];
}
