import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from './generated/prisma/client.js';
import { connectionPragmas, DEFAULT_BUSY_TIMEOUT_MS } from './sqlite.js';

type AdapterFactory = NonNullable<ConstructorParameters<typeof PrismaClient>[0]['adapter']>;

/**
 * A Prisma client on the better-sqlite3 driver adapter whose every connection gets our PRAGMAs (the
 * adapter opens its own connection and sets none). Timestamps use the adapter's default ISO 8601 form,
 * the one documented in `time.ts`.
 */
export function createPrismaClient(path: string, options: { busyTimeoutMs?: number } = {}): PrismaClient {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const inner = new PrismaBetterSqlite3(
    { url: `file:${path}`, timeout: busyTimeoutMs },
    { timestampFormat: 'iso8601' },
  );
  const adapter: AdapterFactory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      const connection = await inner.connect();
      await connection.executeScript(connectionPragmas(busyTimeoutMs));
      return connection;
    },
  };
  return new PrismaClient({ adapter });
}
