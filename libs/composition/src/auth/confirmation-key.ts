import { createHash, randomBytes } from 'node:crypto';
import type { Clock, InstanceSecretStore } from '@testio-mcp/domain';
import { decryptSecret, encryptSecret } from './master-key.js';

/**
 * The HMAC key of triage confirmation tokens (ADR 0032), shared by every instance on one database (ADR
 * 0035): 32 random bytes generated once by whichever instance needs it first, stored in
 * `instance_secrets` sealed under the master key (AES-256-GCM, the row's name as additional data), and
 * opened by each instance. Without a master key nothing is stored and each process keeps its own random
 * key (a preview is then confirmed on the instance that made it), so the key never rests in clear.
 *
 * The row is named after a fingerprint of the master key: with a new master key the old row cannot be
 * opened, so a new key is made under a new name (tokens live minutes; nothing else depends on it).
 */

const NAME = 'triage_confirmation_key';

function rowName(masterKey: Buffer): string {
  const fingerprint = createHash('sha256')
    .update('testio-mcp instance secret\0')
    .update(masterKey)
    .digest('hex')
    .slice(0, 16);
  return `${NAME}:${fingerprint}`;
}

/**
 * The key, loaded once per process (a failed load is tried again on the next call); undefined without a
 * master key. `masterKey` is read at the first call, so it may be set after the services are built.
 */
export function sharedConfirmationKey(
  store: InstanceSecretStore,
  masterKey: () => Buffer | undefined,
  clock: Clock,
): () => Promise<Buffer | undefined> {
  let loaded: Promise<Buffer> | undefined;
  return async () => {
    const key = masterKey();
    if (!key) return undefined;
    if (!loaded) {
      const name = rowName(key);
      loaded = store
        .getOrCreate(name, () => encryptSecret(key, randomBytes(32).toString('base64url'), name), clock.now())
        .then((sealed) => Buffer.from(decryptSecret(key, sealed, name), 'base64url'));
      loaded.catch(() => {
        loaded = undefined;
      });
    }
    return loaded;
  };
}
