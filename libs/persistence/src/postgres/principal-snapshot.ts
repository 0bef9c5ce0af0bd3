import type { Logger } from '@testio-mcp/domain';
import type { ApiKeyRow, PrincipalStore, TenantRow } from '../principals.js';
import type { PgClient, PgPool } from './pool.js';
import { createPgPrincipalStore } from './principals.js';

/**
 * The principals on PostgreSQL behind the synchronous `PrincipalStore` port (ADR 0029's plan, ADR 0034):
 * the authenticator looks keys up on every request, so it reads an in-memory copy of `api_keys` and
 * `tenants`. The copy is loaded on start, reloaded after every write this instance makes, on a
 * `NOTIFY testio_principals` from any other instance, and every `refreshIntervalMs` in case a
 * notification was missed (a dropped LISTEN connection). So a key revoked on one instance stops working
 * on every other within milliseconds, and within `refreshIntervalMs` at worst.
 *
 * Writes apply to the copy at once (the admin route that revoked a key answers, and the next request
 * already sees it) and reach the database in order, one after another; `settled()` waits for them and
 * rejects with a write that failed (the copy is then reloaded from the database, so it never keeps a
 * change the database refused).
 */

/** The channel every instance listens on and notifies after a principal write. */
export const PRINCIPALS_CHANNEL = 'testio_principals';

export interface PgPrincipalSnapshot extends PrincipalStore {
  /** Reloads the copy from the database (after the pending writes). */
  refresh(): Promise<void>;
  /** Resolves when every write made so far is in the database; rejects with the first that failed. */
  settled(): Promise<void>;
  /** Stops listening and the interval; waits for pending writes. The pool stays open. */
  close(): Promise<void>;
}

export interface PgPrincipalSnapshotOptions {
  readonly pool: PgPool;
  readonly logger?: Logger;
  /** The fallback reload interval; default 5 s. 0 turns it off (tests). */
  readonly refreshIntervalMs?: number;
}

const byCreation = (a: ApiKeyRow, b: ApiKeyRow): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export async function openPgPrincipalSnapshot(
  options: PgPrincipalSnapshotOptions,
): Promise<PgPrincipalSnapshot> {
  const { pool, logger } = options;
  const store = createPgPrincipalStore(pool);
  let keys = new Map<string, ApiKeyRow>();
  let tenants = new Map<string, TenantRow>();
  /** Every database round trip of this copy, in order: writes, then the reloads they ask for. */
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  let closed = false;
  /** The connection LISTENing for other instances' changes, and how to hand it back once. */
  let listener: { readonly client: PgClient; release(destroy?: boolean): void } | undefined;

  /**
   * Writes applied to the copy but not yet to the database. A reload read while one is queued would put
   * the older database state back over it (a key revoked here accepted again for a moment), so it is not
   * applied; the reload after the last queued write brings the copy in line.
   */
  let pendingWrites = 0;

  const load = async (): Promise<void> => {
    const [keyRows, tenantRows] = await Promise.all([store.listApiKeys(), store.listTenants()]);
    if (pendingWrites > 0) return;
    keys = new Map(keyRows.map((row) => [row.id, row]));
    tenants = new Map(tenantRows.map((row) => [row.slug, row]));
  };
  const enqueue = (step: () => Promise<void>): Promise<void> => {
    const next = chain.then(step);
    chain = next.catch(() => undefined);
    return next;
  };
  const refresh = (): Promise<void> => enqueue(load);
  const write = (what: string, step: () => Promise<unknown>): void => {
    pendingWrites += 1;
    void enqueue(async () => {
      try {
        await step();
        await pool.query('SELECT pg_notify($1, $2)', [PRINCIPALS_CHANNEL, what]);
      } catch (error) {
        failure ??= error;
        logger?.error({ err: error, write: what }, `A principal change (${what}) was not stored`);
      } finally {
        pendingWrites -= 1;
      }
      // The database's state once this instance's writes are in: `settled()` then sees the same copy any
      // other instance loads (and a refused change is gone from it).
      await load().catch((error: unknown) =>
        logger?.warn({ err: error }, 'principals could not be reloaded after a write'),
      );
    });
  };

  await load();

  async function listen(): Promise<void> {
    try {
      const client = await pool.connect();
      let released = false;
      const onNotification = (): void => {
        void refresh().catch((error: unknown) =>
          logger?.warn({ err: error }, 'principals could not be reloaded after a notification'),
        );
      };
      const onError = (): void => {
        // The connection dropped: the interval reloads until the next listen() succeeds.
        if (listener?.client === client) listener = undefined;
        release(true);
      };
      // Once back in the pool the client is the pool's: our handlers go with it, so an error the pool's
      // idle client meets later (the database dropped, the server restarted) never releases it twice.
      const release = (destroy = false): void => {
        if (released) return;
        released = true;
        client.off('notification', onNotification);
        client.off('error', onError);
        client.release(destroy);
      };
      client.on('notification', onNotification);
      client.on('error', onError);
      try {
        await client.query(`LISTEN ${PRINCIPALS_CHANNEL}`);
      } catch (error) {
        release(true);
        throw error;
      }
      if (closed) {
        release();
        return;
      }
      listener = { client, release };
    } catch (error) {
      logger?.warn({ err: error }, 'principal changes of other instances are picked up by the interval only');
    }
  }
  await listen();

  const intervalMs = options.refreshIntervalMs ?? 5_000;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (!listener && !closed) void listen();
          refresh().catch((error: unknown) =>
            logger?.warn({ err: error }, 'principals could not be reloaded'),
          );
        }, intervalMs)
      : undefined;
  timer?.unref();

  return {
    insertApiKey(row) {
      keys.set(row.id, { ...row, revokedAt: null });
      write('insert key', () => store.insertApiKey(row));
    },
    findApiKey: (id) => keys.get(id),
    listApiKeys: () => [...keys.values()].sort(byCreation),
    revokeApiKey(id, at) {
      const row = keys.get(id);
      if (!row || row.revokedAt) return false;
      keys.set(id, { ...row, revokedAt: at });
      write('revoke key', () => store.revokeApiKey(id, at));
      return true;
    },
    hasUsableApiKey: (now) =>
      [...keys.values()].some(
        (row) => row.revokedAt === null && (row.expiresAt === null || row.expiresAt > now),
      ),
    insertTenant(row) {
      tenants.set(row.slug, row);
      write('insert tenant', () => store.insertTenant(row));
    },
    findTenant: (slug) => tenants.get(slug),
    listTenants: () => [...tenants.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0)),
    removeTenant(slug, at) {
      if (!tenants.delete(slug)) return false;
      for (const row of keys.values()) {
        if (row.tenant === slug && row.revokedAt === null) keys.set(row.id, { ...row, revokedAt: at });
      }
      write('remove tenant', () => store.removeTenant(slug, at));
      return true;
    },
    replaceCiphertexts(rows, at) {
      for (const { slug, tokenCiphertext } of rows) {
        const row = tenants.get(slug);
        if (row) tenants.set(slug, { ...row, tokenCiphertext, updatedAt: at });
      }
      write('replace ciphertexts', () => store.replaceCiphertexts(rows, at));
    },
    refresh,
    async settled() {
      await chain;
      const error = failure;
      failure = undefined;
      if (error !== undefined) throw error;
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      await chain;
      const current = listener;
      listener = undefined;
      if (current) {
        await current.client.query(`UNLISTEN ${PRINCIPALS_CHANNEL}`).catch(() => undefined);
        current.release();
      }
    },
  };
}
