import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { parseSettings, sharedSettingsSchema, systemClock, type EnvRecord } from '@testio-mcp/domain';
import { openTwoInstances, testEngines, type TestEngine } from '@testio-mcp/persistence/testing';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRootLogger } from '../logger.js';
import { resolveServingRuntime } from '../runtime.js';
import { openServingParts, type ServingParts } from '../services.js';
import { sharedConfirmationKey } from './confirmation-key.js';

/**
 * The triage confirmation key every instance on one database shares (ADR 0035): a preview made on one
 * instance is confirmed on another; without a master key each process keeps its own.
 */

/** Two instances' secret stores on one fresh database, and the stored values as they are at rest. */
async function openSecrets(engine: TestEngine) {
  const pair = await openTwoInstances(engine);
  return {
    a: pair.a.secrets,
    b: pair.b.secrets,
    rows: async () =>
      (await pair.db.rows<{ value: string }>('SELECT "value" FROM "instance_secrets"')).map((r) => r.value),
    cleanup: pair.cleanup,
  };
}

describe.each(testEngines)('the shared confirmation key on $name', (engine) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('is one key for two instances with the master key, stored sealed, never in clear', async () => {
    const db = await openSecrets(engine);
    cleanup = db.cleanup;
    const master = randomBytes(32);
    const [a, b] = await Promise.all([
      sharedConfirmationKey(db.a, () => master, systemClock)(),
      sharedConfirmationKey(db.b, () => master, systemClock)(),
    ]);
    expect(a?.length).toBe(32);
    expect(b?.equals(a as Buffer)).toBe(true);
    const rows = await db.rows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^v1\./);
    for (const encoding of ['base64url', 'base64', 'hex'] as const) {
      expect(rows[0]).not.toContain((a as Buffer).toString(encoding));
    }

    // Another master key cannot open that row: it gets a key of its own, under another name.
    const other = await sharedConfirmationKey(db.b, () => randomBytes(32), systemClock)();
    expect(other?.equals(a as Buffer)).toBe(false);
    expect(await db.rows()).toHaveLength(2);
  });

  it('is none without a master key, and nothing is stored', async () => {
    const db = await openSecrets(engine);
    cleanup = db.cleanup;
    expect(await sharedConfirmationKey(db.a, () => undefined, systemClock)()).toBeUndefined();
    expect(await db.rows()).toEqual([]);
  });
});

describe('triage on two instances of one database', () => {
  const settingsFrom = (env: EnvRecord) => ({
    ...parseSettings(sharedSettingsSchema, env),
    TESTIO_DEMO_MODE: false,
    AUTO_ACCEPTANCE_ALERT_THRESHOLD: 0.2,
  });
  const quietLogger = () =>
    createRootLogger({ level: 'fatal', format: 'json', destination: new PassThrough() });
  let dir: string;
  let sandbox: RunningSandbox;
  const opened: ServingParts[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'confirmation-key-'));
    sandbox = await startSandbox({ port: 0, seed: 11, scale: 'small' });
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function instance(file: string, masterKey: string | undefined): Promise<ServingParts> {
    const settings = settingsFrom({
      TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
      TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
      TESTIO_DB_PATH: path.join(dir, file),
      TESTIO_EXPORT_DIR: path.join(dir, 'exports'),
      TESTIO_READ_WORKERS: '0',
      ...(masterKey ? { TESTIO_MASTER_KEY: masterKey } : {}),
    });
    const parts = await openServingParts({
      settings,
      runtime: resolveServingRuntime(settings, 'The probe server'),
      logger: quietLogger(),
      role: 'probe',
    });
    opened.push(parts);
    return parts;
  }

  const forwardedBugs = async (parts: ServingParts): Promise<number[]> => {
    const tests = (sandbox.truth({ perTest: true }).tests ?? []).filter(
      (t) => (t.bugsByStatus['forwarded'] ?? 0) > 0,
    );
    const bugs = await parts.api.listBugsForTests(tests.slice(0, 10).map((t) => t.id));
    return bugs.filter((b) => b.status === 'forwarded').map((b) => b.id);
  };
  const actor = { id: 'key-1', tenant: 'default' };

  it('a preview made on A is confirmed on B when they share the master key', async () => {
    const master = randomBytes(32).toString('hex');
    const a = await instance('shared.db', master);
    const b = await instance('shared.db', master);
    const [bugId] = await forwardedBugs(a);
    expect(bugId).toBeGreaterThan(0);
    const preview = await a.services.previewTriage({ action: 'accept', bug_ids: [bugId as number] }, actor);
    expect(preview.status).toBe('confirmation_required');
    const done = await b.services.applyTriage(
      { action: 'accept', bug_ids: [bugId as number], confirmation_token: preview.confirmation_token },
      actor,
    );
    expect(done.bugs[0]).toMatchObject({ outcome: 'applied', after: { status: 'accepted' } });
    expect((await b.api.getBug(bugId as number)).status).toBe('accepted');
  });

  it('without a master key, a preview is confirmed only on the instance that made it', async () => {
    const a = await instance('solo.db', undefined);
    const b = await instance('solo.db', undefined);
    const bugs = await forwardedBugs(a);
    const bugId = bugs[bugs.length - 1] as number;
    const preview = await a.services.previewTriage({ action: 'accept', bug_ids: [bugId] }, actor);
    await expect(
      b.services.applyTriage(
        { action: 'accept', bug_ids: [bugId], confirmation_token: preview.confirmation_token },
        actor,
      ),
    ).rejects.toThrow(/confirmation_token does not match this request/);
    const done = await a.services.applyTriage(
      { action: 'accept', bug_ids: [bugId], confirmation_token: preview.confirmation_token },
      actor,
    );
    expect(done.bugs[0]).toMatchObject({ outcome: 'applied' });
  });
});
