/**
 * Builds API paths relative to the base URL (no leading slash), encoding every interpolated value so
 * that an id can never change the shape of the path: `apiPath\`products/${id}/features\``.
 */

export type PathValue = string | number;

export class ApiPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiPathError';
  }
}

function encodeSegment(value: PathValue): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new ApiPathError(`apiPath: a path value must be a finite number, got ${String(value)}`);
  }
  const raw = String(value);
  if (raw === '' || raw === '.' || raw === '..') {
    throw new ApiPathError(
      `apiPath: a path value must not be empty, "." or ".." (got ${JSON.stringify(raw)})`,
    );
  }
  return encodeURIComponent(raw);
}

export function apiPath(strings: TemplateStringsArray, ...values: PathValue[]): string {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += encodeSegment(value) + (strings[i + 1] ?? '');
  });
  if (out.startsWith('/'))
    throw new ApiPathError('apiPath: paths are relative to the API base URL, drop the leading "/"');
  if (
    out
      .split('?')[0]
      ?.split('/')
      .some((segment) => segment === '' || segment === '.' || segment === '..')
  ) {
    throw new ApiPathError(`apiPath: empty, "." or ".." path segment in ${JSON.stringify(out)}`);
  }
  return out;
}

export type QueryValue = PathValue | readonly PathValue[] | undefined;

/**
 * Appends a query string. Each value is percent-encoded; array values are joined with literal commas,
 * the form TestIO expects (`filter_test_cycle_ids=1,2,3`). Undefined values are left out.
 */
export function withQuery(path: string, params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const list: readonly PathValue[] = Array.isArray(value) ? value : [value as PathValue];
    parts.push(`${encodeURIComponent(key)}=${list.map((v) => encodeURIComponent(String(v))).join(',')}`);
  }
  if (parts.length === 0) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${parts.join('&')}`;
}
