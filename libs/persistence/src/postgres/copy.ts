import { ConflictError, InvalidInputError } from '@testio-mcp/domain';
import { decodeRawText } from '../raw-codec.js';
import type { Sqlite } from '../sqlite.js';
import { pgDomainError } from './errors.js';
import type { PgClient, PgPool } from './pool.js';
import { DERIVED_REBUILDS, rebuildDerived, type RebuiltTable } from './rebuild-derived.js';

/**
 * Tables the database keeps itself, by trigger, from the rows of the copied ones (derived counts, analytics
 * aggregates, search documents), and the migrator's bookkeeping. They are never copied: the copy inserts the
 * base rows with the triggers off and then rebuilds these set-based (`rebuildDerived`), to the rows the
 * triggers would have written.
 */
export const DERIVED_TABLES: ReadonlySet<string> = new Set([
  '_prisma_migrations',
  ...DERIVED_REBUILDS.keys(),
]);

/**
 * Not copied either: a lease is a running worker's claim on its own database. Copied, the SQLite worker's
 * lease would keep the first PostgreSQL worker waiting for its expiry. Sync jobs and rate windows
 * (ADR 0035) belong to the instances serving the source: a copied running job would read `abandoned` a
 * minute later, and a window is over within its minute. MCP tasks likewise: their work ran on the source.
 */
export const PROCESS_TABLES: ReadonlySet<string> = new Set([
  'sync_leases',
  'sync_jobs',
  'mcp_tasks',
  'rate_windows',
]);

export interface CopyTableResult {
  readonly table: string;
  readonly rows: number;
}

export interface CopyToPostgresOptions {
  /** The source mirror (read only; every tenant's rows are copied). */
  readonly sqlite: Sqlite;
  /** A pool on the migrated target database. */
  readonly pool: PgPool;
  /** Empty the target first (every table, derived ones too) instead of refusing a target that has rows. */
  readonly replace?: boolean;
  /** Rows per INSERT statement; default 500. */
  readonly batchSize?: number;
  /** Called after each table is copied (within the transaction). */
  readonly onTable?: (result: CopyTableResult) => void;
  /** Called after each derived table is rebuilt (within the transaction). */
  readonly onDerived?: (result: RebuiltTable) => void;
  /**
   * How the derived tables are filled. `rebuild` (the default): the base rows go in with the tables' triggers
   * disabled, then one set-based statement per derived table. `triggers`: every row through PostgreSQL's
   * per-row triggers, as a sync writes them (hours at a million bugs; kept as the reference the rebuild is
   * tested against).
   */
  readonly derived?: 'rebuild' | 'triggers';
}

export interface CopyToPostgresResult {
  readonly tables: readonly CopyTableResult[];
  /** Row counts read back from PostgreSQL after the commit, per copied table. */
  readonly verified: readonly CopyTableResult[];
  /** The derived tables the rebuild wrote, with their rows (empty when `derived` is `triggers`). */
  readonly derived: readonly RebuiltTable[];
}

interface PgColumn {
  readonly name: string;
  /** `format_type`, e.g. `timestamp(3) with time zone`: what a bound text value is cast to. */
  readonly type: string;
  readonly identity: boolean;
}

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

async function pgTables(client: PgClient): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.relname`,
  );
  return rows.map((r) => r.name);
}

async function pgColumns(client: PgClient, table: string): Promise<PgColumn[]> {
  const { rows } = await client.query<PgColumn>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attidentity <> '' AS identity
     FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [quote(table)],
  );
  return rows;
}

/** Foreign-key edges among `tables`: each table after the tables it references. */
async function dependencyOrder(client: PgClient, tables: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
     FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
  );
  const unquote = (name: string) => name.replace(/^"(.*)"$/, '$1');
  const parents = new Map<string, Set<string>>(tables.map((t) => [t, new Set()]));
  for (const { child, parent } of rows) {
    const c = unquote(child);
    const p = unquote(parent);
    if (c !== p && parents.has(c) && parents.has(p)) parents.get(c)?.add(p);
  }
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter(
      (t) => !placed.has(t) && [...(parents.get(t) ?? [])].every((p) => placed.has(p)),
    );
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${tables.join(', ')}`);
    for (const t of ready) {
      ordered.push(t);
      placed.add(t);
    }
  }
  return ordered;
}

/**
 * SQLite values as PostgreSQL takes them bound as text and cast: booleans 0/1 become 'false'/'true', a
 * compressed `raw` payload (a BLOB where PostgreSQL has a `json` column, ADR 0039) its JSON text.
 */
function pgValue(value: unknown, column: PgColumn): unknown {
  if (value === null || value === undefined) return null;
  if (column.type === 'boolean') return value === 1 || value === '1' || value === true ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value))
    return column.type === 'json' || column.type === 'jsonb' ? decodeRawText(value) : value;
  return value;
}

async function insertBatch(
  client: PgClient,
  table: string,
  columns: readonly PgColumn[],
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const cells = columns.map((column) => {
      params.push(pgValue(row[column.name], column));
      return `$${params.length}::${column.type}`;
    });
    return `(${cells.join(', ')})`;
  });
  // OVERRIDING SYSTEM VALUE keeps SQLite's ids (other rows and the outside world refer to them).
  const identity = columns.some((c) => c.identity) ? ' OVERRIDING SYSTEM VALUE' : '';
  await client.query(
    `INSERT INTO ${quote(table)} (${columns.map((c) => quote(c.name)).join(', ')})${identity} VALUES ${tuples.join(', ')}`,
    params,
  );
}

/** Identity columns continue after the copied ids, so the next row written on PostgreSQL gets a new one. */
async function advanceIdentities(
  client: PgClient,
  table: string,
  columns: readonly PgColumn[],
): Promise<void> {
  for (const column of columns.filter((c) => c.identity)) {
    await client.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), max_id) FROM (SELECT max(${quote(column.name)}) AS max_id FROM ${quote(table)}) m WHERE max_id IS NOT NULL`,
      [quote(table), column.name],
    );
  }
}

function sqliteColumns(sqlite: Sqlite, table: string): string[] {
  return (sqlite.prepare(`PRAGMA table_info(${quote(table)})`).all() as { name: string }[]).map(
    (c) => c.name,
  );
}

/**
 * Copies a SQLite mirror into a migrated PostgreSQL database: every tenant's rows of every base table
 * (mirror, sync state and history, problematic ranges, tenants, API keys, audit), in foreign-key order, in
 * batches, all in ONE transaction, so a failed copy leaves the target as it was and can simply be run again.
 * The tables' own triggers are disabled while the rows go in (`DISABLE TRIGGER USER`: the foreign keys are
 * still checked) and enabled again before the derived counts, aggregates and search documents are rebuilt
 * set-based in the same transaction (ADR 0036): per-row triggers cost hours at a million bugs. Refuses a target with rows (`ConflictError`) unless `replace`, and a schema the two engines
 * do not share (`InvalidInputError`: migrate both to the same release first). Row counts are read back
 * after the commit, and the written tables are vacuumed and analysed (statistics for the planner).
 */
export async function copySqliteToPostgres(options: CopyToPostgresOptions): Promise<CopyToPostgresResult> {
  const { sqlite, pool } = options;
  const batchSize = Math.max(1, Math.trunc(options.batchSize ?? 500));
  const sqliteTables = new Set(
    (sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (t) => t.name,
    ),
  );
  const client = await pool.connect();
  try {
    const all = await pgTables(client);
    const base = all.filter((t) => !DERIVED_TABLES.has(t) && !PROCESS_TABLES.has(t));
    const missing = base.filter((t) => !sqliteTables.has(t));
    if (missing.length > 0) {
      throw new InvalidInputError({
        field: 'source',
        message: `The SQLite mirror has no table ${missing.join(', ')}`,
        reason: 'The source and the target must be at the same schema version for a row-by-row copy',
        hint: 'Start this release once on the SQLite mirror (any command migrates it), then copy again',
      });
    }
    const tables = await dependencyOrder(client, base);
    const columnsOf = new Map<string, PgColumn[]>();
    for (const table of tables) {
      const target = await pgColumns(client, table);
      const source = new Set(sqliteColumns(sqlite, table));
      const absent = target.filter((c) => !source.has(c.name)).map((c) => c.name);
      const extra = [...source].filter((name) => !target.some((c) => c.name === name));
      if (absent.length > 0 || extra.length > 0) {
        throw new InvalidInputError({
          field: 'source',
          message: `Table ${table} differs between the engines (${[...absent.map((c) => `only PostgreSQL has ${c}`), ...extra.map((c) => `only SQLite has ${c}`)].join('; ')})`,
          reason: 'The source and the target must be at the same schema version for a row-by-row copy',
          hint: 'Run the same release of testio-mcp against both databases (it migrates each), then copy again',
        });
      }
      columnsOf.set(table, target);
    }

    await client.query('BEGIN');
    try {
      if (options.replace) {
        await client.query(
          `TRUNCATE ${all
            .filter((t) => t !== '_prisma_migrations')
            .map(quote)
            .join(', ')} RESTART IDENTITY`,
        );
      } else {
        const filled: string[] = [];
        for (const table of [...tables, ...PROCESS_TABLES]) {
          const { rowCount } = await client.query(`SELECT 1 FROM ${quote(table)} LIMIT 1`);
          if (rowCount) filled.push(table);
        }
        if (filled.length > 0) {
          throw new ConflictError({
            message: `The target database already has rows (${filled.join(', ')})`,
            reason: 'A copy into a used database would mix two mirrors',
            hint: 'Copy into a new, empty database, or pass --replace to empty this one first',
          });
        }
      }
      const bulk = (options.derived ?? 'rebuild') === 'rebuild';
      // Transactional DDL: a failed copy rolls the triggers back on with everything else.
      if (bulk)
        for (const table of tables) await client.query(`ALTER TABLE ${quote(table)} DISABLE TRIGGER USER`);
      const copied: CopyTableResult[] = [];
      for (const table of tables) {
        const columns = columnsOf.get(table) ?? [];
        // Rows in rowid order: the order SQLite's own triggers saw them in.
        const select = sqlite.prepare(
          `SELECT ${columns.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)}`,
        );
        let batch: Record<string, unknown>[] = [];
        let rows = 0;
        for (const row of select.iterate() as Iterable<Record<string, unknown>>) {
          batch.push(row);
          if (batch.length >= batchSize) {
            await insertBatch(client, table, columns, batch);
            rows += batch.length;
            batch = [];
          }
        }
        if (batch.length > 0) {
          await insertBatch(client, table, columns, batch);
          rows += batch.length;
        }
        await advanceIdentities(client, table, columns);
        const result = { table, rows };
        copied.push(result);
        options.onTable?.(result);
      }
      let derived: RebuiltTable[] = [];
      if (bulk) {
        for (const table of tables) await client.query(`ALTER TABLE ${quote(table)} ENABLE TRIGGER USER`);
        derived = await rebuildDerived(client, options.onDerived);
      }
      await client.query('COMMIT');
      const verified: CopyTableResult[] = [];
      for (const { table } of copied) {
        const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(table)}`);
        verified.push({ table, rows: rows[0]?.n ?? 0 });
      }
      // A bulk load leaves the tables without planner statistics and without a visibility map until
      // autovacuum gets to them (never, where it is off). Planned blind, a single bug's summary joined every
      // test of the tenant (tens of ms at `large` instead of 0.1) and counts could not use index-only
      // scans: the first reads after a copy should not wait for autovacuum (docs/performance.md, Issue 15).
      // VACUUM cannot run inside a transaction, so this follows the commit.
      await client.query(
        `VACUUM (ANALYZE) ${[...copied.map((c) => c.table), ...DERIVED_REBUILDS.keys()].map(quote).join(', ')}`,
      );
      return { tables: copied, verified, derived };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } catch (error) {
    throw pgDomainError(error);
  } finally {
    client.release();
  }
}
