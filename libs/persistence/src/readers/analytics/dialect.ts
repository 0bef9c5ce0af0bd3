/**
 * The SQL text the analytics statements spell differently per engine (ADR 0031). The statement builders
 * (`cube.ts`, `bug-level-sql.ts`, `aggregate-sql.ts`) are shared: the fact rows, the paths, the metric
 * definitions and the outer query are one piece of code, and only the fragments below differ. Statements
 * use `@name` parameters on both engines; the PostgreSQL reader turns them into `$n` when it binds them.
 */
export interface AnalyticsDialect {
  readonly engine: 'sqlite' | 'postgres';
  /** A scalar parameter of the given type (`@name`, or `@name::type` where PostgreSQL cannot infer it). */
  param(name: string, type: 'int' | 'text' | 'time'): string;
  /** `(list is null OR expr in list)`: the list parameter is `null` when the filter is absent. */
  listFilter(expr: string, name: string, type: 'int' | 'text'): string;
  /** `expr` is in the list parameter (which is never null there). */
  inList(expr: string, name: string, type: 'int' | 'text'): string;
  /** Lower case as SQLite's `lower()` does it: ASCII letters only. */
  lower(expr: string): string;
  /** A text value of a JSON column's top-level key; `int` reads it as an integer. */
  json(column: string, key: string, as: 'text' | 'int'): string;
  /** Labels of a timestamp column's month (`2025-01`), week (`2025-W02`, Monday weeks as `%W`), quarter. */
  month(column: string): string;
  week(column: string): string;
  quarter(column: string): string;
  /** A count as a double, for the rates. */
  real(expr: string): string;
  /** The join that reaches rows of a scoped test by key (`CROSS JOIN` pins SQLite's loop order). */
  readonly loopJoin: string;
  /** A LEFT JOIN that expands a bug's `devices` into rows aliased `d` (one NULL row when it has none). */
  devicesJoin(column: string): string;
  /** The operating system of the device row `d`. */
  readonly deviceOs: string;
  /** `EXISTS` a device of the bug's `devices` whose operating system (lower case) is in the list parameter. */
  deviceIn(column: string, name: string): string;
  /** A text column in `ORDER BY`, in the byte order SQLite compares with. */
  textOrder(expr: string): string;
  /** PostgreSQL cannot name output columns inside ORDER BY expressions: the grouping is wrapped. */
  readonly wrapOrder: boolean;
}

export const SQLITE: AnalyticsDialect = {
  engine: 'sqlite',
  param: (name) => `@${name}`,
  listFilter: (expr, name) => `(@${name} IS NULL OR ${expr} IN (SELECT value FROM json_each(@${name})))`,
  inList: (expr, name) => `${expr} IN (SELECT value FROM json_each(@${name}))`,
  lower: (expr) => `lower(${expr})`,
  json: (column, key, as) =>
    as === 'int'
      ? `CAST(json_extract(${column}, '$.${key}') AS INTEGER)`
      : `json_extract(${column}, '$.${key}')`,
  month: (c) => `strftime('%Y-%m', ${c})`,
  week: (c) => `strftime('%Y-W%W', ${c})`,
  quarter: (c) => `strftime('%Y', ${c}) || '-Q' || ((CAST(strftime('%m', ${c}) AS INTEGER) + 2) / 3)`,
  real: (expr) => `CAST(${expr} AS REAL)`,
  loopJoin: 'CROSS JOIN',
  devicesJoin: (column) => `LEFT JOIN json_each(${column}) d`,
  deviceOs: "json_extract(d.value, '$.operating_system')",
  deviceIn: (column, name) =>
    `EXISTS (SELECT 1 FROM json_each(${column}) d WHERE lower(json_extract(d.value, '$.operating_system')) IN (SELECT value FROM json_each(@${name})))`,
  textOrder: (expr) => expr,
  wrapOrder: false,
};
