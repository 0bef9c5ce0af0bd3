import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';

/** Unique secrets per run, so finding one in any output can only mean a leak. */
export interface Secrets {
  /** The TestIO token the product uses (the sandbox accepts it). */
  readonly token: string;
  /** A REST API key. */
  readonly apiKey: string;
}

export function makeSecrets(): Secrets {
  return {
    token: `tok-${randomBytes(12).toString('hex')}`,
    apiKey: `key-${randomBytes(16).toString('hex')}`,
  };
}

/** Finds a secret, or its tail (a partial mask still leaks), in text. */
export function findSecret(text: string, secrets: Secrets): string | null {
  for (const secret of [secrets.token, secrets.apiKey]) {
    if (text.includes(secret) || text.includes(secret.slice(-16)))
      return secret === secrets.token ? 'the TestIO token' : 'the API key';
  }
  return null;
}

export function expectNoSecret(text: string, secrets: Secrets, where: string): void {
  const found = findSecret(text, secrets);
  expect(found, `${found ?? ''} appears in ${where}`).toBeNull();
}
