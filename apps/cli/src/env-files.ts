import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from './argv.js';
import { DEFAULT_ENV_FILE } from './setup/env-file.js';

const expandHome = (file: string): string =>
  file === '~' || file.startsWith('~/') ? path.join(os.homedir(), file.slice(1)) : file;

/**
 * Loads --env-file, or ./.env and then ~/.testio-mcp.env (what `setup` writes) when present; variables
 * already set win, so the environment beats the files.
 */
export function loadEnvFiles(envFile: string | undefined): void {
  if (envFile !== undefined) {
    if (envFile.trim() === '') throw new UsageError('--env-file needs a path, e.g. --env-file ./.env');
    const file = expandHome(envFile);
    if (!existsSync(file))
      throw new UsageError(
        `--env-file '${envFile}' does not exist; create it (testio-mcp setup) or point to another file`,
      );
    process.loadEnvFile(file);
    return;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const userFile = expandHome(DEFAULT_ENV_FILE);
  if (existsSync(userFile)) process.loadEnvFile(userFile);
}
