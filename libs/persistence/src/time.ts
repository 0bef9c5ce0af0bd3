/**
 * The one way timestamps are stored: ISO 8601 UTC text with milliseconds and a `+00:00` offset,
 * `2025-01-31T12:00:00.000+00:00`. It is exactly what Prisma's SQLite driver adapter writes and binds for
 * a `DateTime`, so Prisma filters, raw SQL and rows written by the stores all compare as plain strings,
 * correctly (fixed width, same suffix). SQLite's date functions read it too (`strftime('%Y-%m', end_at)`).
 *
 * Never compare a stored timestamp with `datetime('now')` or `CURRENT_TIMESTAMP` (`YYYY-MM-DD HH:MM:SS`,
 * space instead of `T`): bind `toDbTime(date)` instead. Shown timestamps (`Z` form) come from
 * `Date#toISOString()` / the domain's `toUtcIso`.
 */
export type DbTime = string;

/** A Date or any parseable ISO 8601 string → the stored form; null/undefined/unparseable → null. */
export function toDbTime(value: Date | string | null | undefined): DbTime | null {
  if (value === null || value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** Like `toDbTime` for values that must be present. */
export function dbTime(value: Date): DbTime {
  const text = toDbTime(value);
  if (text === null) throw new RangeError('invalid Date');
  return text;
}

/** The stored form (or any ISO 8601 text) → Date; null stays null. */
export function fromDbTime(value: string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms);
}
