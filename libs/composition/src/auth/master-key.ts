import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InvalidInputError } from '@testio-mcp/domain';

/**
 * Tenant tokens at rest: AES-256-GCM under the master key (TESTIO_MASTER_KEY: 32 bytes as 64 hex
 * characters or base64; or TESTIO_MASTER_KEY_FILE). Each token gets a fresh 96-bit IV; the tenant slug is
 * bound as additional data, so a ciphertext copied onto another tenant's row does not decrypt. Stored as
 * `v1.<iv>.<tag>.<ciphertext>` in base64url.
 */

export interface MasterKeySettings {
  readonly TESTIO_MASTER_KEY?: string | undefined;
  readonly TESTIO_MASTER_KEY_FILE?: string | undefined;
}

const HINT = 'Generate one with `openssl rand -hex 32` and set TESTIO_MASTER_KEY (or TESTIO_MASTER_KEY_FILE)';

function decodeKey(raw: string, source: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
      ? Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64')
      : undefined;
  if (key?.length !== 32) {
    throw new InvalidInputError({
      field: source,
      message: `${source} is not a 256-bit key`,
      reason: 'The master key is 32 random bytes, written as 64 hex characters or as base64',
      hint: HINT,
    });
  }
  return key;
}

/** The master key, or undefined when neither setting is given. */
export function loadMasterKey(
  settings: MasterKeySettings,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): Buffer | undefined {
  if (settings.TESTIO_MASTER_KEY && settings.TESTIO_MASTER_KEY_FILE) {
    throw new InvalidInputError({
      field: 'TESTIO_MASTER_KEY',
      message: 'TESTIO_MASTER_KEY and TESTIO_MASTER_KEY_FILE are both set',
      reason: 'Only one master key can be in use',
      hint: 'Unset one of them',
    });
  }
  if (settings.TESTIO_MASTER_KEY) return decodeKey(settings.TESTIO_MASTER_KEY, 'TESTIO_MASTER_KEY');
  if (!settings.TESTIO_MASTER_KEY_FILE) return undefined;
  let text: string;
  try {
    text = readFile(settings.TESTIO_MASTER_KEY_FILE);
  } catch (error) {
    throw new InvalidInputError({
      field: 'TESTIO_MASTER_KEY_FILE',
      message: `Cannot read the master key file ${settings.TESTIO_MASTER_KEY_FILE}`,
      reason: (error as NodeJS.ErrnoException).code ?? 'read failed',
      hint: 'Check the path and that this user may read it',
      cause: error,
    });
  }
  return decodeKey(text, 'TESTIO_MASTER_KEY_FILE');
}

export function encryptSecret(key: Buffer, plain: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** The plain text, or a three-part error when the key is wrong or the text was tampered with. */
export function decryptSecret(key: Buffer, sealed: string, context: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  try {
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown format');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch (error) {
    throw new InvalidInputError({
      field: 'TESTIO_MASTER_KEY',
      message: `The token of tenant '${context}' does not decrypt under this master key`,
      reason: 'The master key differs from the one it was stored under, or the row was altered',
      hint: 'Set the master key the tenants were added with; `testio-mcp tenants rekey` moves them to a new one',
      cause: error,
    });
  }
}
