import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the mirror lives unless `TESTIO_DB_PATH` says otherwise (the reference's default). */
export function defaultDatabasePath(home = os.homedir()): string {
  return path.join(home, '.testio-mcp', 'cache.db');
}

/** Demo mode keeps its simulated account apart from a real one. */
export function demoDatabasePath(home = os.homedir()): string {
  return path.join(home, '.testio-mcp', 'demo.db');
}

/** Expands a leading `~` and makes the path absolute, so logs and errors show where the file really is. */
export function resolveUserPath(value: string, home = os.homedir(), cwd = process.cwd()): string {
  const expanded = value === '~' ? home : value.startsWith('~/') ? path.join(home, value.slice(2)) : value;
  return path.resolve(cwd, expanded);
}

/** Bytes on disk of the mirror and its write-ahead log; null when neither exists. */
export function databaseSizeBytes(file: string): number | null {
  let total = 0;
  for (const part of [file, `${file}-wal`]) {
    try {
      total += statSync(part).size;
    } catch {
      // The WAL file exists only while connections are open; a missing file adds nothing.
    }
  }
  return total > 0 ? total : null;
}
