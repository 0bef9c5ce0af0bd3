import { randomBytes } from 'node:crypto';
import { openPostgresDatabase } from '@testio-mcp/persistence';
import {
  createPgTestDatabase,
  onPgServer as onServer,
  pgTestServerUrl,
  withDatabase,
  type PgTestDatabase,
} from '@testio-mcp/persistence/testing';
import type { SyncResult } from '@testio-mcp/sync';

/**
 * The PostgreSQL stacks of one `vitest run` share one full sync: the first stack that needs it syncs the
 * sandbox (seed 7, small: the same data in every stack) into a fresh database and keeps it as a template;
 * every other stack of the run gets a copy (`CREATE DATABASE ... TEMPLATE`, about a second, where the sync
 * takes tens of seconds on this machine). The template is named by the run (globalSetup provides the id
 * and drops it at the end), so a later run never reads a mirror an older sync engine wrote.
 */

/** Provided by pg-stack-setup.ts (vitest `provide`/`inject`). */
declare module 'vitest' {
  export interface ProvidedContext {
    servicesStackRunId: string;
  }
}

/** Advisory lock keys ("testio", "stack") serialising the template build between test processes. */
const TEMPLATE_LOCK = [0x74696f, 0x737461] as const;

export const stackTemplateName = (runId: string): string => `testio_stack_${runId}`;

export interface SyncedPgDatabase {
  readonly db: PgTestDatabase;
  /** The template's sync, as the stack that ran it saw it (dates as dates). */
  readonly sync: SyncResult;
}

function reviveSync(json: string): SyncResult {
  const raw = JSON.parse(json) as SyncResult & { startedAt: string; finishedAt: string };
  return { ...raw, startedAt: new Date(raw.startedAt), finishedAt: new Date(raw.finishedAt) };
}

/**
 * A fresh database holding the run's synced mirror: built by `syncInto` (under an advisory lock, once per
 * run and server), then copied.
 */
export async function syncedPgDatabase(
  runId: string,
  syncInto: (db: PgTestDatabase) => Promise<SyncResult>,
): Promise<SyncedPgDatabase> {
  const serverUrl = await pgTestServerUrl();
  const template = stackTemplateName(runId);
  const syncJson = await onServer(serverUrl, async (c) => {
    await c.query('SELECT pg_advisory_lock($1, $2)', [...TEMPLATE_LOCK]);
    try {
      const found = await c.query<{ comment: string | null }>(
        `SELECT shobj_description(oid, 'pg_database') AS "comment" FROM pg_database WHERE datname = $1`,
        [template],
      );
      const existing = found.rows[0]?.comment;
      if (existing) return existing;
      const building = await createPgTestDatabase();
      let json: string;
      try {
        const sync = await syncInto(building);
        if (sync.status !== 'success') {
          throw new Error(`the template sync ended ${sync.status}: ${sync.errors.join('; ')}`);
        }
        json = JSON.stringify(sync);
        await building.close();
      } catch (error) {
        await building.cleanup();
        throw error;
      }
      await c.query(`ALTER DATABASE "${building.database}" RENAME TO "${template}"`);
      await c.query(`COMMENT ON DATABASE "${template}" IS ${c.escapeLiteral(json)}`);
      return json;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1, $2)', [...TEMPLATE_LOCK]);
    }
  });
  const database = `testio_${randomBytes(8).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE "${database}" TEMPLATE "${template}"`));
  const url = withDatabase(serverUrl, database);
  const drop = () =>
    onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`)).then(
      () => undefined,
    );
  let opened: Awaited<ReturnType<typeof openPostgresDatabase>>;
  try {
    opened = await openPostgresDatabase({ url, customerId: 1 });
  } catch (error) {
    await drop();
    throw error;
  }
  let cleaned = false;
  const db: PgTestDatabase = {
    ...opened,
    url,
    database,
    close: () => opened.close(),
    forCustomer: (customerId) => opened.forCustomer(customerId),
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await opened.close();
      await drop();
    },
  };
  return { db, sync: reviveSync(syncJson) };
}
