/**
 * Strips credentials from API payloads before they are stored as `raw` JSON (reference 6.7: the
 * reference kept test-environment usernames, passwords and access links in its mirror).
 *
 * - `test_environment.username`, `.password`, `.access` (anywhere a `test_environment` object appears);
 * - any key that names a secret outright (`password`, `secret`, `token`, `api_key`, `access_token`, ...),
 *   at any depth.
 *
 * Returns a copy; the input is not modified.
 */
const TEST_ENVIRONMENT_SECRETS = new Set(['username', 'password', 'access']);
const SECRET_KEY =
  /^(password|passwd|pass|secret|client_secret|token|auth_token|access_token|refresh_token|api_key|apikey|credentials?)$/i;

export function stripSecrets<T>(value: T): T {
  return strip(value, undefined) as T;
}

function strip(value: unknown, parentKey: string | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => strip(item, undefined));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(key)) continue;
    if (parentKey === 'test_environment' && TEST_ENVIRONMENT_SECRETS.has(key)) continue;
    out[key] = strip(child, key);
  }
  return out;
}

/** JSON text of a payload with secrets stripped: the `raw` column. */
export function rawJson(value: unknown): string {
  // A replacer instead of `stripSecrets` + stringify: one pass, no copy of large payloads.
  return JSON.stringify(value, secretReplacer) ?? 'null';
}

function secretReplacer(key: string, value: unknown): unknown {
  if (key !== '' && SECRET_KEY.test(key)) return undefined;
  if (key === 'test_environment' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!TEST_ENVIRONMENT_SECRETS.has(k)) copy[k] = v;
    }
    return copy;
  }
  return value;
}
