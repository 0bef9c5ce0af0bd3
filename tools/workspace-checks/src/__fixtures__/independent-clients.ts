import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from './processes.js';

/**
 * A client we did not write: the MCP Inspector CLI, installed from the npm registry on first use into
 * node_modules/.cache (not a devDependency: it pulls vite and react). The conformance suite is a
 * devDependency (conformance.test.ts).
 */

const run = promisify(execFile);

export const CLIENT_VERSIONS = {
  '@modelcontextprotocol/inspector': '2.12.0',
} as const;

export const CLIENTS_DIR = path.join(ROOT, 'node_modules/.cache/testio-mcp-independent-clients');

export interface IndependentClients {
  /** `mcp-inspector` bin (runs on our Node 20: its CLI mode works there). */
  readonly inspector: string;
}

export async function installIndependentClients(): Promise<IndependentClients> {
  const manifest = {
    name: 'testio-mcp-independent-clients',
    private: true,
    dependencies: CLIENT_VERSIONS,
    allowScripts: { '@modelcontextprotocol/inspector': false },
  };
  const wanted = JSON.stringify(manifest, null, 2);
  const manifestPath = path.join(CLIENTS_DIR, 'package.json');
  const stamp = path.join(CLIENTS_DIR, '.installed');
  const clients: IndependentClients = {
    inspector: path.join(CLIENTS_DIR, 'node_modules/.bin/mcp-inspector'),
  };
  const installed =
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === wanted &&
    Object.values(clients).every((file) => existsSync(file));
  if (!installed) {
    mkdirSync(CLIENTS_DIR, { recursive: true });
    writeFileSync(manifestPath, wanted);
    await run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', '--loglevel=error'],
      {
        cwd: CLIENTS_DIR,
        timeout: 300_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    writeFileSync(stamp, wanted);
  }
  return clients;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command, returning its exit code and output instead of throwing on a non-zero exit. */
export async function runCommand(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  timeout = 120_000,
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run(file, args, { env, timeout, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? String(error),
    };
  }
}
