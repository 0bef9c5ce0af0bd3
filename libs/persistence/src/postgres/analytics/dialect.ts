import type { AnalyticsDialect } from '../../readers/analytics/dialect.js';

/**
 * The analytics statements' PostgreSQL spelling (ADR 0031). Lists are bound as arrays (`= ANY(@x::type[])`,
 * `NULL` when the filter is absent), parameters carry their type where PostgreSQL cannot infer it, and
 * everything that must compare or sort as on SQLite does: `lower()` folds ASCII only and labels sort in
 * byte order (`COLLATE "C"`), month/week/quarter labels are computed in UTC (SQLite's `strftime` on the
 * stored UTC text), `%W` weeks (Monday weeks, 00 before the first Monday) computed from the day of year.
 */

const TYPES = { int: 'bigint', text: 'text', time: 'timestamptz' } as const;
const utc = (column: string) => `(${column} AT TIME ZONE 'UTC')`;
/** A JSON array column as rows `d(value)`, no rows when it holds no array. */
const elements = (column: string) =>
  `jsonb_array_elements(CASE WHEN jsonb_typeof(${column}) = 'array' THEN ${column} ELSE '[]'::jsonb END) AS d(value)`;
const DEVICE_OS = "(d.value ->> 'operating_system')";

export const POSTGRES: AnalyticsDialect = {
  engine: 'postgres',
  param: (name, type) => `@${name}::${TYPES[type]}`,
  listFilter: (expr, name, type) =>
    `(@${name}::${TYPES[type]}[] IS NULL OR ${expr} = ANY(@${name}::${TYPES[type]}[]))`,
  inList: (expr, name, type) => `${expr} = ANY(@${name}::${TYPES[type]}[])`,
  lower: (expr) => `lower((${expr}) COLLATE "C")`,
  json: (column, key, as) =>
    as === 'int'
      ? `CASE WHEN (${column} ->> '${key}') ~ '^-?[0-9]+$' THEN (${column} ->> '${key}')::bigint END`
      : `(${column} ->> '${key}')`,
  month: (c) => `to_char(${utc(c)}, 'YYYY-MM')`,
  week: (c) =>
    `to_char(${utc(c)}, 'YYYY') || '-W' || lpad(((extract(doy FROM ${utc(c)})::int + 7 - extract(isodow FROM ${utc(c)})::int) / 7)::text, 2, '0')`,
  quarter: (c) => `to_char(${utc(c)}, 'YYYY') || '-Q' || to_char(${utc(c)}, 'Q')`,
  real: (expr) => `(${expr})::double precision`,
  loopJoin: 'JOIN',
  devicesJoin: (column) => `LEFT JOIN LATERAL ${elements(column)} ON true`,
  deviceOs: DEVICE_OS,
  deviceIn: (column, name) =>
    `EXISTS (SELECT 1 FROM ${elements(column)} WHERE lower(${DEVICE_OS} COLLATE "C") = ANY(@${name}::text[]))`,
  textOrder: (expr) => `${expr} COLLATE "C"`,
  wrapOrder: true,
};
