import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { expect } from 'vitest';
import { launch, type Launched } from './processes.js';

/** `testio-mcp serve --transport http` on a synced mirror of the demo sandbox, for clients built apart. */
export interface DemoServer {
  readonly sandbox: RunningSandbox;
  /** A temporary directory holding the mirror; for the caller's own files too. */
  readonly dir: string;
  /** The variables the server runs with (without the inherited environment), for a stdio launch. */
  readonly serverEnv: Record<string, string>;
  readonly mcpUrl: string;
  stop(): Promise<void>;
}

export async function startDemoServer(prefix: string): Promise<DemoServer> {
  const sandbox = await startSandbox({
    port: 0,
    seed: 7,
    scale: 'demo',
    anchor: new Date('2025-06-01T00:00:00Z'),
  });
  const dir = mkdtempSync(path.join(tmpdir(), `testio-${prefix}-`));
  let http: Launched | undefined;
  const stop = async () => {
    await http?.stop();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const serverEnv = {
      TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
      TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
      TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
      CACHE_TTL_SECONDS: '86400',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
    };
    const env = { ...process.env, ...serverEnv };
    const sync = launch(['sync', '--force'], env);
    expect(await sync.exited, sync.err()).toBe(0);
    http = launch(['serve', '--transport', 'http'], { ...env, TESTIO_HTTP_PORT: '0', LOG_LEVEL: 'info' });
    const [, mcpUrl = ''] = await http.waitFor(/MCP server ready at (http:\/\/\S+?\/mcp)\b/);
    return { sandbox, dir, serverEnv, mcpUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
