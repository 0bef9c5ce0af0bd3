import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { createRootLogger, openAppDatabase, type AppDatabase } from '@testio-mcp/composition';
import { createPgPool } from '@testio-mcp/persistence';
import { createEmptyPgDatabase } from '@testio-mcp/persistence/testing';

/**
 * The two databases the principal commands run on (ADR 0034), as a person sets them up: a SQLite file
 * (TESTIO_DB_PATH), or a fresh PostgreSQL database on the test server (TESTIO_DATABASE_URL, with a password
 * in the URL that the server's trust authentication ignores and that no output may show).
 */

/** The password in every PostgreSQL URL the tests hand the commands. */
export const URL_PASSWORD = 'pg-pass-W4x9-never-shown';

export interface CliDatabase {
  /** The environment a command gets: where the mirror is, and nothing else. */
  readonly env: Record<string, string>;
  /** Everything the database stores about tenants and keys, as text (to look for a secret in clear). */
  storedText(): Promise<string>;
  /** PostgreSQL only: runs SQL on the database as its owner (to make it refuse a write). */
  readonly execute?: (sql: string) => Promise<void>;
  /** The same database opened as a serving instance opens it (closed by `cleanup`). */
  openAsServer(): Promise<AppDatabase>;
  cleanup(): Promise<void>;
}

export interface CliEngine {
  readonly name: 'sqlite' | 'postgresql';
  /** `migrated: false` (PostgreSQL): an empty database the first command migrates. */
  open(options?: { migrated?: boolean }): Promise<CliDatabase>;
}

export const quietLogger = () =>
  createRootLogger({ level: 'fatal', format: 'json', destination: new PassThrough() });

function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = URL_PASSWORD;
  return parsed.toString();
}

function fileText(file: string): string {
  try {
    return readFileSync(file).toString('latin1');
  } catch {
    return '';
  }
}

function serverOpener(runtime: { databasePath: string; databaseUrl?: string }) {
  const opened: AppDatabase[] = [];
  return {
    async open(): Promise<AppDatabase> {
      // No fallback reload: a change made by a command reaches this copy by NOTIFY only.
      const database = await openAppDatabase({
        runtime: { ...runtime, customerId: 1 },
        logger: quietLogger(),
        principalRefreshMs: 0,
      });
      opened.push(database);
      return database;
    },
    async closeAll(): Promise<void> {
      for (const database of opened.splice(0)) await database.close();
    },
  };
}

export const cliEngines: readonly CliEngine[] = [
  {
    name: 'sqlite',
    async open() {
      const dir = mkdtempSync(path.join(tmpdir(), 'testio-cli-db-'));
      const file = path.join(dir, 'mirror.db');
      const servers = serverOpener({ databasePath: file });
      return {
        env: { TESTIO_DB_PATH: file },
        storedText: async () => ['', '-wal'].map((suffix) => fileText(`${file}${suffix}`)).join('\n'),
        openAsServer: () => servers.open(),
        async cleanup() {
          await servers.closeAll();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgresql',
    async open(options = {}) {
      const dir = mkdtempSync(path.join(tmpdir(), 'testio-cli-db-'));
      const empty = await createEmptyPgDatabase({ migrated: options.migrated ?? true });
      const url = withPassword(empty.url);
      // The SQLite file must stay untouched: the URL wins over TESTIO_DB_PATH.
      const unused = path.join(dir, 'unused.db');
      const servers = serverOpener({ databasePath: unused, databaseUrl: url });
      async function query<R extends object>(sql: string): Promise<R[]> {
        const pool = createPgPool(empty.url, { max: 1 });
        try {
          return (await pool.query<R>(sql)).rows;
        } finally {
          await pool.end();
        }
      }
      return {
        env: { TESTIO_DB_PATH: unused, TESTIO_DATABASE_URL: url },
        async storedText() {
          const rows = await query<{ text: string | null }>(
            `SELECT concat_ws(E'\\n', (SELECT string_agg(t::text, E'\\n') FROM "tenants" t),
                                     (SELECT string_agg(k::text, E'\\n') FROM "api_keys" k)) AS "text"`,
          );
          return rows[0]?.text ?? '';
        },
        execute: async (sql) => {
          await query(sql);
        },
        openAsServer: () => servers.open(),
        async cleanup() {
          await servers.closeAll();
          await empty.drop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

/** A port nothing listens on (asked of the OS, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A command's streams, collected: stdin holds `stdinText`. */
export function commandIo(stdinText = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr, stdin: Readable.from([stdinText]) }, out: () => out, err: () => err };
}
