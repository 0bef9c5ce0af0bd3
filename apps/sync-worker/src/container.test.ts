import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createRootLogger } from '@testio-mcp/composition';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSyncWorkerSettings, resolveSyncRuntime } from './config.js';
import { createSyncContainer } from './container.js';

const quiet = () =>
  createRootLogger({
    level: 'fatal',
    format: 'json',
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });

describe('the sync container without a token', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sync-container-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens the mirror for local-only commands, and a sync explains that it needs the token', async () => {
    const settings = parseSyncWorkerSettings({ TESTIO_DB_PATH: path.join(dir, 'mirror.db') });
    const runtime = resolveSyncRuntime(settings, new Date(), { requireToken: false });
    const container = await createSyncContainer(settings, runtime, quiet(), 'sync-cli');
    try {
      expect((await container.engine.status()).products).toEqual([]);
      const result = await container.engine.run({ mode: 'incremental', trigger: 'manual_cli' });
      expect(result.status).toBe('failure');
      expect(result.errors.join('\n')).toContain('No TestIO API token is configured');
    } finally {
      await container.close();
    }
  });
});
