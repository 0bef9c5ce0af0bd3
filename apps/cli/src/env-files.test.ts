import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArgv, UsageError } from './argv.js';
import { loadEnvFiles } from './env-files.js';
import { applyGlobalFlags } from './global-flags.js';

const VARIABLE = 'TESTIO_CLI_ENV_FILES_PROBE';

describe('global flags', () => {
  it('set their variables once the schema accepts the values', () => {
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'info' };
    applyGlobalFlags(parseArgv(['--log-level', 'debug', '--http-timeout=30']).flags, env);
    expect(env).toEqual({ LOG_LEVEL: 'debug', HTTP_TIMEOUT_SECONDS: '30' });
  });

  it('refuse a value the variable would refuse, saying which variable and why', () => {
    const env: NodeJS.ProcessEnv = {};
    const flags = parseArgv(['--max-concurrent-requests', '500']).flags;
    expect(() => applyGlobalFlags(flags, env)).toThrow(UsageError);
    expect(() => applyGlobalFlags(flags, env)).toThrow(
      /--max-concurrent-requests '500' is not valid: .*\(it sets MAX_CONCURRENT_API_REQUESTS/,
    );
    expect(env).toEqual({});
  });

  it('refuse an empty value', () => {
    expect(() => applyGlobalFlags(parseArgv(['--log-file=']).flags, {})).toThrow(
      /--log-file '' is not valid: .+ \(it sets LOG_FILE; see testio-mcp --help\)/,
    );
  });
});

describe('--env-file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cli-env-'));
    delete process.env[VARIABLE];
  });
  afterEach(() => {
    delete process.env[VARIABLE];
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the file, and the environment wins over it', () => {
    const file = path.join(dir, 'settings.env');
    writeFileSync(file, `${VARIABLE}=from-file\n`);
    loadEnvFiles(file);
    expect(process.env[VARIABLE]).toBe('from-file');
    writeFileSync(file, `${VARIABLE}=changed\n`);
    loadEnvFiles(file);
    expect(process.env[VARIABLE]).toBe('from-file');
  });

  it('refuses a file that does not exist, and an empty path', () => {
    expect(() => loadEnvFiles(path.join(dir, 'missing.env'))).toThrow(
      /does not exist; create it \(testio-mcp setup\)/,
    );
    expect(() => loadEnvFiles(' ')).toThrow(/--env-file needs a path/);
  });
});
