import { reportCliError, resolveRuntimeWithoutToken } from '@testio-mcp/composition';
import type { Command } from 'commander';
import { parseSettings, sharedSettingsSchema, type EnvRecord, type SharedSettings } from '@testio-mcp/domain';
import {
  createAuditStore,
  createPrincipalStore,
  openDatabase,
  type AuditStore,
  type PrincipalStore,
} from '@testio-mcp/persistence';

/** The mirror's database, opened (and migrated) for the principal commands: `keys`, `tenants`, `audit`. */
export interface PrincipalDb {
  readonly settings: Readonly<SharedSettings>;
  readonly store: PrincipalStore;
  readonly audit: AuditStore;
  readonly path: string;
  close(): Promise<void>;
}

export function openPrincipalDb(env: EnvRecord): PrincipalDb {
  const settings = parseSettings(sharedSettingsSchema, env);
  const runtime = resolveRuntimeWithoutToken({ ...settings, TESTIO_DEMO_MODE: false });
  const database = openDatabase({ path: runtime.databasePath, customerId: runtime.customerId });
  return {
    settings,
    store: createPrincipalStore(database.sqlite),
    audit: createAuditStore(database.sqlite),
    path: database.path,
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

/**
 * Runs a principals command (`keys`, `audit`): the database opens only when a subcommand acts, so
 * `--help` and argument errors need none, and it is closed whatever happens; errors print in three parts.
 */
export async function runWithPrincipalDb(
  command: (io: CommandIo, run: (action: (db: PrincipalDb) => void) => void) => Command,
  argv: readonly string[],
  env: EnvRecord,
  io: CommandIo,
): Promise<number> {
  let db: PrincipalDb | undefined;
  try {
    const root = command(io, (action) => {
      db = openPrincipalDb(env);
      action(db);
    });
    await root.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    return reportCliError(error, io.stderr);
  } finally {
    await db?.close();
  }
}
