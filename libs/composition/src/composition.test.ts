import { randomBytes } from 'node:crypto';
import { sqliteOf } from './database/sqlite-of.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import {
  InvalidInputError,
  NotFoundError,
  parseSettings,
  sharedSettingsSchema,
  type EnvRecord,
} from '@testio-mcp/domain';
import { getTestSummaryInputSchema, listProductsInputSchema } from '@testio-mcp/services';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRootLogger,
  offlineApi,
  openMirror,
  addTenant,
  openServingParts,
  reportCliError,
  resolveRuntime,
  resolveRuntimeWithoutToken,
  resolveServingRuntime,
} from './index.js';

const settingsFrom = (env: EnvRecord) => ({
  ...parseSettings(sharedSettingsSchema, env),
  TESTIO_DEMO_MODE: false,
  AUTO_ACCEPTANCE_ALERT_THRESHOLD: 0.2,
});

const quietLogger = () =>
  createRootLogger({ level: 'fatal', format: 'json', destination: new PassThrough() });

let dir: string;
let sandbox: RunningSandbox;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'composition-'));
  sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small' });
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('resolveRuntime', () => {
  it('refuses to start without a token, saying why this process needs one', () => {
    const settings = settingsFrom({});
    const resolve = () => resolveRuntime(settings, { tokenReason: 'The probe reads TestIO' });
    expect(resolve).toThrow(InvalidInputError);
    try {
      resolve();
    } catch (error) {
      expect((error as InvalidInputError).toUserText()).toContain('The probe reads TestIO');
      expect((error as InvalidInputError).toUserText()).toContain('npm start');
    }
  });

  it('resolves the database path against the home folder and keeps the product filter', () => {
    const settings = settingsFrom({
      TESTIO_CUSTOMER_API_TOKEN: 'secret',
      TESTIO_DB_PATH: '~/mirror.db',
      TESTIO_PRODUCT_IDS: '3,4',
    });
    const runtime = resolveRuntime(settings, { tokenReason: 'unused' });
    expect(runtime.token).toBe('secret');
    expect(path.isAbsolute(runtime.databasePath)).toBe(true);
    expect(runtime.databasePath.endsWith(`${path.sep}mirror.db`)).toBe(true);
    expect(runtime.productIds).toEqual([3, 4]);
  });

  it('lets a local-only command go without a token', () => {
    expect(resolveRuntimeWithoutToken(settingsFrom({})).token).toBeUndefined();
  });
});

describe('openMirror without a token', () => {
  it('reads the local mirror and explains when a step needs the TestIO API', async () => {
    const settings = settingsFrom({ TESTIO_DB_PATH: path.join(dir, 'offline.db') });
    const runtime = resolveRuntimeWithoutToken(settings);
    const mirror = await openMirror({
      settings,
      runtime,
      logger: quietLogger(),
      role: 'probe',
      api: offlineApi(),
    });
    try {
      expect((await mirror.engine.status()).products).toEqual([]);
      await expect(mirror.api.listProducts()).rejects.toThrow(/No TestIO API token is configured/);
    } finally {
      await mirror.close();
    }
  });
});

describe('openMirror on a database it cannot open', () => {
  it('refuses a TESTIO_DATABASE_URL that is not PostgreSQL and closes the API client it was given', async () => {
    const settings = settingsFrom({
      TESTIO_DB_PATH: path.join(dir, 'never.db'),
      TESTIO_DATABASE_URL: 'mysql://u:pw@db:3306/testio',
    });
    const runtime = resolveRuntimeWithoutToken(settings);
    let closed = 0;
    const api = { ...offlineApi(), close: () => void (closed += 1) };
    await expect(
      openMirror({ settings, runtime, logger: quietLogger(), role: 'probe', api }),
    ).rejects.toThrow(/TESTIO_DATABASE_URL is not a PostgreSQL URL/);
    expect(closed).toBe(1);
  });
});

describe('openServingParts over the sandbox', () => {
  it('serves a stored tenant from its own services, kept while its row stays, refused once it is removed', async () => {
    const masterKey = randomBytes(32);
    const settings = {
      ...settingsFrom({
        TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
        TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
        TESTIO_DB_PATH: path.join(dir, 'tenants.db'),
        TESTIO_EXPORT_DIR: path.join(dir, 'exports'),
      }),
      TESTIO_MASTER_KEY: masterKey.toString('hex'),
    };
    const parts = await openServingParts({
      settings,
      runtime: resolveServingRuntime(settings, 'The probe server'),
      logger: quietLogger(),
      role: 'probe',
    });
    try {
      const clock = parts.clock;
      const { store } = parts.principals;
      addTenant(
        store,
        { slug: 'acme', token: sandbox.token, baseUrl: sandbox.baseUrl },
        masterKey,
        clock,
        [1],
      );
      expect(parts.tenants.servicesFor(undefined)).toBe(parts.services);
      expect(parts.tenants.servicesFor({ id: 'k', tenant: 'default', role: 'viewer' })).toBe(parts.services);
      const acme = parts.tenants.forTenant('acme');
      expect(acme).not.toBe(parts.services);
      expect(parts.tenants.forTenant('acme')).toBe(acme);
      // Its empty mirror is read through from its own API, into its own rows (customer id 2).
      const listed = await acme.listProducts(listProductsInputSchema.parse({}));
      expect(listed.products.length).toBe(sandbox.truth().products.length);
      const rows = sqliteOf(parts.database)
        .prepare('SELECT customer_id AS c, count(*) AS n FROM products GROUP BY customer_id')
        .all() as Array<{ c: number; n: number }>;
      expect(rows).toEqual([{ c: 2, n: sandbox.truth().products.length }]);

      store.removeTenant('acme', clock.now());
      expect(() => parts.tenants.forTenant('acme')).toThrow(/There is no tenant 'acme'/);
      addTenant(store, { slug: 'acme', token: sandbox.token, customerId: 7 }, masterKey, clock, [1]);
      expect(parts.tenants.forTenant('acme')).not.toBe(acme);
    } finally {
      await parts.close();
    }
  });

  it('answers from the mirror a sync filled, through the same parts both servers use', async () => {
    const settings = settingsFrom({
      TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
      TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
      TESTIO_DB_PATH: path.join(dir, 'online.db'),
      TESTIO_EXPORT_DIR: path.join(dir, 'exports'),
    });
    const runtime = resolveServingRuntime(settings, 'The probe server');
    let lookups = 0;
    const parts = await openServingParts({
      settings,
      runtime,
      logger: quietLogger(),
      role: 'probe',
      instrumentReadThrough: (readThrough) => ({
        ...readThrough,
        ensureTestsFresh: (ids, options) => {
          lookups += 1;
          return readThrough.ensureTestsFresh(ids, options);
        },
      }),
    });
    try {
      // A server many clients call reads on worker threads (ADR 0027), at least two.
      expect(parts.reads.workers).toBeGreaterThanOrEqual(2);
      const result = await parts.engine.run({ mode: 'force', trigger: 'manual_cli' });
      expect(result.status).toBe('success');
      const truth = sandbox.truth({ perTest: true });
      const listed = await parts.services.listProducts(listProductsInputSchema.parse({}));
      expect(listed.products.map((p) => p.id).sort()).toEqual(truth.products.map((p) => p.id).sort());
      const testId = truth.tests?.[0]?.id ?? 0;
      expect(testId).toBeGreaterThan(0);
      const summary = await parts.services.getTestSummary(
        getTestSummaryInputSchema.parse({ test_id: testId }),
      );
      expect(summary.test.id).toBe(testId);
      expect(lookups).toBeGreaterThan(0);
    } finally {
      await parts.close();
    }
  });

  it('says which server needs the token when there is none', () => {
    expect(() => resolveServingRuntime(settingsFrom({}), 'The probe server')).toThrow(
      /No TestIO API token is configured/,
    );
    try {
      resolveServingRuntime(settingsFrom({}), 'The probe server');
    } catch (error) {
      expect((error as InvalidInputError).toUserText()).toContain(
        'The probe server reads your account from the local mirror and refreshes it from the TestIO Customer API',
      );
    }
  });
});

describe('reportCliError', () => {
  const capture = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return { stream, text: () => text };
  };

  it('prints our errors as three parts: 2 for bad input, 1 otherwise', () => {
    const bad = capture();
    const invalid = new InvalidInputError({
      field: 'x',
      message: 'x is wrong',
      reason: 'why',
      hint: 'fix it',
    });
    expect(reportCliError(invalid, bad.stream)).toBe(2);
    expect(bad.text()).toContain('x is wrong');
    const missing = capture();
    expect(reportCliError(new NotFoundError('test', 1), missing.stream)).toBe(1);
    expect(missing.text().length).toBeGreaterThan(0);
  });

  it("leaves commander's usage errors to commander: 0 for --help, 2 otherwise", () => {
    const out = capture();
    expect(reportCliError(new CommanderError(0, 'commander.helpDisplayed', ''), out.stream)).toBe(0);
    expect(reportCliError(new CommanderError(1, 'commander.unknownOption', 'bad'), out.stream)).toBe(2);
    expect(out.text()).toBe('');
  });

  it('calls anything else unexpected, with what to do next', () => {
    const out = capture();
    expect(reportCliError(new Error('boom'), out.stream)).toBe(1);
    expect(out.text()).toContain('Unexpected error: boom');
    expect(out.text()).toContain('LOG_LEVEL=debug');
    const thrown = capture();
    expect(reportCliError('a string was thrown', thrown.stream)).toBe(1);
    expect(thrown.text()).toContain('Unexpected error: a string was thrown');
  });
});
