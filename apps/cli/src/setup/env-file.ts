import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/**
 * The env file `testio-mcp setup` writes. It holds the TestIO token, so it is created with mode 0600 in
 * a directory that is created 0700 when missing, and replaced atomically (a temporary file in the same
 * directory, then rename), so an existing file with looser permissions never keeps them and a crash never
 * leaves half a file.
 */

/** Where setup writes by default, and where every command looks when there is no ./.env (env-files.ts). */
export const DEFAULT_ENV_FILE = '~/.testio-mcp.env';

export interface SetupValues {
  readonly token: string;
  readonly baseUrl: string;
  readonly customerName: string;
  readonly customerId: number;
  /** Undefined: every product. */
  readonly productIds?: readonly number[] | undefined;
  /** Undefined: every toolset. */
  readonly toolsets?: readonly string[] | undefined;
}

/** `KEY=value`, quoted when the value has anything but plain characters (Node's and dotenv's parsers agree). */
function line(key: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`${key} cannot contain a line break`);
  if (/^[\w.,:/@+\-[\]]*$/.test(value)) return `${key}=${value}`;
  if (value.includes("'")) {
    if (value.includes('"')) throw new Error(`${key} cannot contain both kinds of quotes`);
    return `${key}="${value}"`;
  }
  return `${key}='${value}'`;
}

export function renderEnvFile(values: SetupValues, now = new Date()): string {
  return [
    `# testio-mcp settings, written by \`testio-mcp setup\` on ${now.toISOString().slice(0, 10)}.`,
    '# It holds your TestIO API token: keep it private (mode 0600). Every variable is described in docs/cli.md.',
    line('TESTIO_CUSTOMER_API_TOKEN', values.token),
    line('TESTIO_CUSTOMER_API_BASE_URL', values.baseUrl),
    line('TESTIO_CUSTOMER_NAME', values.customerName),
    line('TESTIO_CUSTOMER_ID', String(values.customerId)),
    values.productIds?.length
      ? line('TESTIO_PRODUCT_IDS', values.productIds.join(','))
      : '# TESTIO_PRODUCT_IDS=598,599   (unset: every product)',
    values.toolsets?.length
      ? line('TESTIO_TOOLSETS', values.toolsets.join(','))
      : '# TESTIO_TOOLSETS=discovery,summaries   (unset: every toolset)',
    '',
  ].join('\n');
}

/** Writes `content` to `file` with mode 0600, replacing it atomically when it exists. */
export function writeSecretFile(file: string, content: string): void {
  const dir = path.dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    // The umask can only remove bits, but be explicit: the token is readable by the owner alone.
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
