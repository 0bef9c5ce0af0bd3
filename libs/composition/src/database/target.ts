import { InvalidInputError } from '@testio-mcp/domain';
import { redactUrl } from '@testio-mcp/persistence';

/** The two engines the mirror runs on (ADR 0034): the embedded default, and the shared server. */
export type DatabaseEngine = 'sqlite' | 'postgresql';

/** Which database a process opens: TESTIO_DATABASE_URL when set, the SQLite file otherwise. */
export type DatabaseTarget =
  | { readonly engine: 'sqlite'; readonly path: string }
  | { readonly engine: 'postgresql'; readonly url: string };

const POSTGRES_SCHEMES = new Set(['postgresql:', 'postgres:']);

/**
 * Checks TESTIO_DATABASE_URL: a `postgresql://` (or `postgres://`) URL with a host and a database name.
 * The errors show the URL with its password replaced, never the password.
 */
export function parseDatabaseUrl(url: string): string {
  const trimmed = url.trim();
  let parsed: URL | undefined;
  try {
    parsed = new URL(trimmed);
  } catch {
    parsed = undefined;
  }
  const shown = parsed ? redactUrl(trimmed) : '(not a URL)';
  if (!parsed || !POSTGRES_SCHEMES.has(parsed.protocol)) {
    throw new InvalidInputError({
      field: 'TESTIO_DATABASE_URL',
      message: `TESTIO_DATABASE_URL is not a PostgreSQL URL: ${shown}`,
      reason: 'Only PostgreSQL is served from a URL; the SQLite mirror is a file (TESTIO_DB_PATH)',
      hint: 'Set it to postgresql://user:password@host:5432/database, or unset it to use the SQLite file',
    });
  }
  if (!parsed.hostname || parsed.pathname.length <= 1) {
    throw new InvalidInputError({
      field: 'TESTIO_DATABASE_URL',
      message: `TESTIO_DATABASE_URL names no ${parsed.hostname ? 'database' : 'host'}: ${shown}`,
      reason: 'The server and the database on it are both needed to open the mirror',
      hint: 'Write it as postgresql://user:password@host:5432/database',
    });
  }
  return trimmed;
}

export function databaseTarget(runtime: {
  readonly databasePath: string;
  readonly databaseUrl?: string | undefined;
}): DatabaseTarget {
  return runtime.databaseUrl
    ? { engine: 'postgresql', url: parseDatabaseUrl(runtime.databaseUrl) }
    : { engine: 'sqlite', path: runtime.databasePath };
}

/** Where the mirror is, safe to log and to show: the file's path, or the URL without its password. */
export function describeTarget(target: DatabaseTarget): string {
  return target.engine === 'sqlite' ? target.path : redactUrl(target.url);
}
