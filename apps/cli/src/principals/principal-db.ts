import {
  createRootLogger,
  openAppDatabase,
  reportCliError,
  resolveRuntimeWithoutToken,
  type AppDatabase,
  type DatabaseEngine,
} from '@testio-mcp/composition';
import type { Command } from 'commander';
import { loggingFromSettings, type LogLevel } from '@testio-mcp/app-runtime';
import {
  ConflictError,
  isDomainError,
  parseSettings,
  sharedSettingsSchema,
  type EnvRecord,
  type SharedSettings,
} from '@testio-mcp/domain';
import type { AuditQuery, AuditRow, PrincipalStore } from '@testio-mcp/persistence';

/**
 * The mirror's database, opened (and migrated) for the principal commands: `keys`, `tenants`, `audit`.
 * Either engine, through the app database facade (ADR 0034): the SQLite file, or PostgreSQL when
 * TESTIO_DATABASE_URL is set. On PostgreSQL `store` is a fresh copy loaded on open, and its writes reach
 * the database a moment later: a command awaits `settled()` before it says a change is made.
 */
export interface PrincipalDb {
  readonly settings: Readonly<SharedSettings>;
  readonly store: PrincipalStore;
  readonly engine: DatabaseEngine;
  /** The file's path, or the URL without its password. */
  readonly location: string;
  listAudit(query: AuditQuery): Promise<AuditRow[]>;
  /** Resolves when the writes made so far are stored; throws a three-part error when one was refused. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A command's answer is what it prints (and its three-part error): the database's own log lines (migrations
 * applied, a refused principal write with the server's words) reach its stderr only at LOG_LEVEL=debug or
 * trace, when someone asks why.
 */
function commandLogLevel(level: LogLevel): LogLevel {
  return level === 'debug' || level === 'trace' ? level : 'fatal';
}

function notStored(error: unknown, location: string): unknown {
  if (isDomainError(error)) return error;
  return new ConflictError({
    message: `The change was not stored in the mirror at ${location}`,
    reason: 'The database refused the write or the connection was lost; nothing else was changed',
    hint: 'Run the command again (with LOG_LEVEL=debug to see the database’s answer); `testio-mcp keys list` or `tenants list` shows what is stored',
    cause: error,
  });
}

export async function openPrincipalDb(env: EnvRecord, io: Pick<CommandIo, 'stderr'>): Promise<PrincipalDb> {
  const settings = parseSettings(sharedSettingsSchema, env);
  const runtime = resolveRuntimeWithoutToken({ ...settings, TESTIO_DEMO_MODE: false });
  const logging = loggingFromSettings(settings);
  const logger = createRootLogger({
    ...logging,
    level: commandLogLevel(logging.level),
    base: { process: 'cli' },
    destination: io.stderr,
  });
  // A command runs for a moment: no fallback reload of the principal copy (it is loaded on open).
  const database: AppDatabase = await openAppDatabase({ runtime, logger, principalRefreshMs: 0 });
  return {
    settings,
    store: database.principals,
    engine: database.engine,
    location: database.location,
    listAudit: (query) => database.listAudit(query),
    settled: () =>
      database.principalsSettled().catch((error: unknown) => {
        throw notStored(error, database.location);
      }),
    close: () => database.close(),
  };
}

/** Output for a person or, with --json, for a script; one place so every command writes alike. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export const processIo = (): CommandIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});

/** Plain columns: the widest cell of each column sets its width. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Runs a subcommand's action on the opened database (then waits for its writes to be stored). */
export type PrincipalAction = (action: (db: PrincipalDb) => void | Promise<void>) => Promise<void>;

/**
 * Runs a principals command (`keys`, `audit`): the database opens only when a subcommand acts, so
 * `--help` and argument errors need none, and it is closed whatever happens; errors print in three parts.
 */
export async function runWithPrincipalDb(
  command: (io: CommandIo, run: PrincipalAction) => Command,
  argv: readonly string[],
  env: EnvRecord,
  io: CommandIo,
): Promise<number> {
  let db: PrincipalDb | undefined;
  try {
    const root = command(io, async (action) => {
      db = await openPrincipalDb(env, io);
      await action(db);
      await db.settled();
    });
    await root.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return reportCliError(error, io.stderr);
  } finally {
    await db?.close();
  }
}
