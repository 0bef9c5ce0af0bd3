import os from 'node:os';
import path from 'node:path';

/** Where the mirror lives unless `TESTIO_DB_PATH` says otherwise (the same default as the other apps). */
export function defaultDatabasePath(home = os.homedir()): string {
  return path.join(home, '.testio-mcp', 'cache.db');
}

/** Expands a leading `~` and makes the path absolute. */
export function resolveUserPath(value: string, home = os.homedir(), cwd = process.cwd()): string {
  const expanded = value === '~' ? home : value.startsWith('~/') ? path.join(home, value.slice(2)) : value;
  return path.resolve(cwd, expanded);
}
