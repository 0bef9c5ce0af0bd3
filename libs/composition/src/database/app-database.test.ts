import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { InvalidInputError } from '@testio-mcp/domain';
import { createEmptyPgDatabase, pgTestServerUrl } from '@testio-mcp/persistence/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRootLogger } from '../logger.js';
import { openAppDatabase, type AppDatabase } from './app-database.js';
import { sqliteOf } from './sqlite-of.js';
import { databaseTarget, describeTarget, parseDatabaseUrl } from './target.js';

const quietLogger = () =>
  createRootLogger({ level: 'fatal', format: 'json', destination: new PassThrough() });

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'testio-app-db-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A password the facade must never show; the test server trusts every connection and ignores it. */
const SECRET = 'hunter2-never-shown';

function withPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = SECRET;
  return parsed.toString();
}

interface OpenedEngine {
  readonly database: AppDatabase;
  cleanup(): Promise<void>;
}

const engines: { name: string; open(): Promise<OpenedEngine> }[] = [
  {
    name: 'sqlite',
    async open() {
      const file = path.join(dir, `mirror-${Math.random().toString(16).slice(2)}.db`);
      const database = await openAppDatabase({
        runtime: { databasePath: file, customerId: 1 },
        logger: quietLogger(),
      });
      return { database, cleanup: () => database.close() };
    },
  },
  {
    name: 'postgresql',
    async open() {
      // Empty, not migrated: opening it must migrate it, as a first start on a new server does.
      const empty = await createEmptyPgDatabase();
      const database = await openAppDatabase({
        runtime: {
          databasePath: path.join(dir, 'unused.db'),
          databaseUrl: withPassword(empty.url),
          customerId: 1,
        },
        logger: quietLogger(),
      });
      return {
        database,
        async cleanup() {
          await database.close();
          await empty.drop();
        },
      };
    },
  },
];

describe.each(engines)('the app database on $name', (engine) => {
  let opened: OpenedEngine;
  beforeAll(async () => {
    opened = await engine.open();
  });
  afterAll(() => opened.cleanup());

  it('says which engine it is and where, without the password', () => {
    const { database } = opened;
    expect(database.engine).toBe(engine.name);
    expect(database.location).not.toContain(SECRET);
    if (engine.name === 'postgresql') {
      expect(database.location).toMatch(/^postgres(ql)?:\/\/.*\*\*\*@/);
      expect(database.sqlite).toBeUndefined();
      expect(database.postgres).toBeDefined();
      expect(database.rateWindows).toBeDefined();
      expect(() => sqliteOf(database)).toThrow(/mirror is on postgresql/);
    } else {
      expect(database.location).toMatch(/mirror-[0-9a-f]+\.db$/);
      expect(database.postgres).toBeUndefined();
      expect(sqliteOf(database).open).toBe(true);
      // One serving process counts its own rate windows in memory on SQLite (ADR 0035).
      expect(database.rateWindows).toBeUndefined();
    }
  });

  it('answers a ping and reports a size on disk', async () => {
    await expect(opened.database.ping()).resolves.toBeUndefined();
    const size = await opened.database.sizeBytes();
    expect(size).toBeGreaterThan(0);
  });

  it('reads an empty migrated mirror through the read ports, for this tenant and another', async () => {
    const reads = opened.database.openReads({ customerId: 1, workers: 0 });
    try {
      const page = await reads.reader.listProducts({
        offset: 0,
        limit: 10,
        sortBy: 'title',
        sortOrder: 'asc',
        recentSince: { days30: new Date('2026-11-07'), days90: new Date('2026-09-08') },
      });
      expect(page).toEqual({ items: [], total: 0 });
    } finally {
      await reads.close();
    }
    expect(opened.database.forCustomer(2).customerId).toBe(2);
    expect(opened.database.customerId).toBe(1);
  });

  it('stores tenants and API keys, and a revocation is seen at once', async () => {
    const { principals } = opened.database;
    const now = new Date('2026-12-07T10:00:00.000Z');
    principals.insertTenant({
      slug: 'acme',
      customerId: 7,
      baseUrl: 'https://api.test.io/customer/v2',
      tokenCiphertext: 'sealed',
      createdAt: now,
      updatedAt: now,
    });
    principals.insertApiKey({
      id: 'key-1',
      keyHash: 'hash',
      tenant: 'acme',
      role: 'reader',
      name: 'ci',
      createdAt: now,
      expiresAt: null,
    });
    await opened.database.principalsSettled();
    expect(principals.findTenant('acme')?.customerId).toBe(7);
    expect(principals.hasUsableApiKey(now)).toBe(true);
    expect(principals.revokeApiKey('key-1', now)).toBe(true);
    await opened.database.principalsSettled();
    expect(principals.findApiKey('key-1')?.revokedAt).toEqual(now);
    expect(principals.hasUsableApiKey(now)).toBe(false);
  });

  it('writes the audit trail through its sink and lists it newest first', async () => {
    const handle = opened.database.openAuditSink();
    const row = (minute: number, action: string) => ({
      at: new Date(Date.UTC(2026, 11, 7, 10, minute)),
      principal: 'key-1',
      tenant: 'acme',
      surface: 'mcp' as const,
      action,
      outcome: 'ok',
      status: null,
      durationMs: 3,
    });
    try {
      await handle.sink.insertMany([row(1, 'list_products'), row(2, 'get_test_summary')]);
      handle.beforeLastFlush();
    } finally {
      handle.close();
    }
    const listed = await opened.database.listAudit({ tenant: 'acme', limit: 10 });
    expect(listed.map((entry) => entry.action)).toEqual(['get_test_summary', 'list_products']);
  });
});

describe('TESTIO_DATABASE_URL', () => {
  const open = (databaseUrl: string) =>
    openAppDatabase({
      runtime: { databasePath: path.join(dir, 'unused.db'), databaseUrl, customerId: 1 },
      logger: quietLogger(),
    });

  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
  }

  it('selects PostgreSQL only when set; the SQLite file otherwise', () => {
    expect(databaseTarget({ databasePath: '/data/mirror.db' })).toEqual({
      engine: 'sqlite',
      path: '/data/mirror.db',
    });
    expect(describeTarget(databaseTarget({ databasePath: '/data/mirror.db' }))).toBe('/data/mirror.db');
    const target = databaseTarget({ databasePath: '/x', databaseUrl: ' postgres://u@db:5432/testio ' });
    expect(target).toEqual({ engine: 'postgresql', url: 'postgres://u@db:5432/testio' });
  });

  it('refuses a URL that is not PostgreSQL, naming it without its password', () => {
    const error = catchError(() => parseDatabaseUrl(`mysql://u:${SECRET}@db:3306/testio`));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toContain('is not a PostgreSQL URL');
    expect(`${error.reason} ${error.hint}`).not.toContain(SECRET);
    expect(error.message).not.toContain(SECRET);
    expect(catchError(() => parseDatabaseUrl('not a url')).message).toContain('(not a URL)');
  });

  it('refuses a URL without a host or a database name, saying which is missing', () => {
    expect(catchError(() => parseDatabaseUrl('postgresql://db:5432')).message).toContain('names no database');
    expect(catchError(() => parseDatabaseUrl('postgresql:///testio')).message).toContain('names no host');
  });

  it('says nothing listens at the host and port, without the password or the driver message', async () => {
    const port = await closedPort();
    const error = await open(`postgresql://u:${SECRET}@127.0.0.1:${port}/testio`).then(
      () => undefined,
      (e: unknown) => e as InvalidInputError,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error?.message).toBe(
      `Cannot open the PostgreSQL mirror at postgresql://u:***@127.0.0.1:${port}/testio`,
    );
    expect(error?.reason).toBe('Nothing accepts connections at that host and port');
    expect(`${error?.reason} ${error?.hint}`).not.toContain(SECRET);
  });

  it('says the server refused the user', async () => {
    const server = new URL(await pgTestServerUrl());
    server.username = 'testio_no_such_role';
    server.password = SECRET;
    const error = await open(server.toString()).then(
      () => undefined,
      (e: unknown) => e as InvalidInputError,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error?.reason).toBe('The server refused the user name or password');
    expect(error?.message).not.toContain(SECRET);
  });

  it('says the server has no database of that name', async () => {
    const server = new URL(await pgTestServerUrl());
    server.pathname = '/testio_no_such_database_here';
    const error = await open(server.toString()).then(
      () => undefined,
      (e: unknown) => e as InvalidInputError,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error?.reason).toBe('The server has no database of that name');
  });
});

function catchError(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (error) {
    return error as InvalidInputError;
  }
  throw new Error('expected an error');
}
