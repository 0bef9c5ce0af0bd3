/**
 * `@name` parameters (the analytics statements' spelling on both engines) as PostgreSQL's `$n`: each name
 * gets one number, in order of first use, and `values` lists the bound values in that order. A name the
 * statement uses but `params` lacks is an error here, not a silent NULL.
 */
export function bindNamed(
  sql: string,
  params: Readonly<Record<string, unknown>>,
): { text: string; values: unknown[] } {
  const numbers = new Map<string, number>();
  const values: unknown[] = [];
  const text = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    let n = numbers.get(name);
    if (n === undefined) {
      if (!(name in params)) throw new RangeError(`statement parameter @${name} is not bound`);
      values.push(params[name]);
      n = values.length;
      numbers.set(name, n);
    }
    return `$${n}`;
  });
  return { text, values };
}
