import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runKeysCommand } from './keys-command.js';
import { runTenantsCommand } from './tenants-command.js';

/** `testio-mcp keys` and `tenants` against a real SQLite file in a temp dir. */

const TOKEN = 'acme-token-Q7v9-never-in-clear-31337';
let dir: string;
let env: Record<string, string>;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'testio-principals-'));
  env = { TESTIO_DB_PATH: path.join(dir, 'mirror.db'), TESTIO_MASTER_KEY: randomBytes(32).toString('hex') };
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function io(stdinText = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr, stdin: Readable.from([stdinText]) }, out: () => out, err: () => err };
}

const accept = async () => ({ ok: true as const, products: [] });

describe('testio-mcp keys', () => {
  it('creates a key shown once, lists it without the secret, and revokes it', async () => {
    const created = io();
    expect(
      await runKeysCommand(
        ['create', '--tenant', 'default', '--role', 'operator', '--name', 'ci', '--expires', '90d', '--json'],
        env,
        created.io,
      ),
    ).toBe(0);
    const issued = JSON.parse(created.out()) as Record<string, string>;
    expect(Object.keys(issued).sort()).toEqual(['expires_at', 'id', 'key', 'role', 'tenant']);
    expect(issued).toMatchObject({ tenant: 'default', role: 'operator' });

    const listed = io();
    expect(await runKeysCommand(['list'], env, listed.io)).toBe(0);
    expect(listed.out()).toContain(issued['id']);
    expect(listed.out()).toMatch(/operator\s+active/);
    expect(listed.out()).not.toContain(issued['key']);

    const revoked = io();
    expect(await runKeysCommand(['revoke', issued['id'] ?? ''], env, revoked.io)).toBe(0);
    const after = io();
    await runKeysCommand(['list', '--json'], env, after.io);
    expect(JSON.parse(after.out())).toEqual([
      expect.objectContaining({ id: issued['id'], state: 'revoked' }),
    ]);
    const again = io();
    expect(await runKeysCommand(['revoke', issued['id'] ?? ''], env, again.io)).toBe(2);
    expect(again.err()).toContain('already revoked');
  });

  it('refuses an unknown role with exit 2 and the three-part message', async () => {
    const run = io();
    expect(
      await runKeysCommand(['create', '--tenant', 'default', '--role', 'root', '--name', 'x'], env, run.io),
    ).toBe(2);
    expect(run.err()).toMatch(/❌ --role 'root' is not a role\nℹ️ .*viewer, operator, admin/);
  });
});

describe('testio-mcp tenants', () => {
  it('adds a tenant from stdin, never keeps the token in clear in the database file, and lists it without it', async () => {
    const added = io(`${TOKEN}\n`);
    expect(
      await runTenantsCommand(['add', 'acme', '--customer-id', '42'], env, added.io, { checkToken: accept }),
    ).toBe(0);
    expect(added.out()).toContain('Added tenant acme (customer id 42');
    const listed = io();
    await runTenantsCommand(['list'], env, listed.io);
    expect(listed.out()).toMatch(/acme\s+42\s+https:\/\/api\.test\.io\/customer\/v2\s+encrypted/);
    expect(listed.out()).not.toContain(TOKEN);
    for (const file of ['mirror.db', 'mirror.db-wal']) {
      const bytes = (() => {
        try {
          return readFileSync(path.join(dir, file)).toString('latin1');
        } catch {
          return '';
        }
      })();
      expect(bytes).not.toContain(TOKEN);
    }
    const key = io();
    expect(
      await runKeysCommand(['create', '--tenant', 'acme', '--role', 'viewer', '--name', 'a'], env, key.io),
    ).toBe(0);
  });

  it('reads the token from --token-env, refuses a token the API refuses, and needs the master key', async () => {
    const refused = io();
    const code = await runTenantsCommand(
      ['add', 'beta', '--token-env', 'BETA_TOKEN'],
      { ...env, BETA_TOKEN: TOKEN },
      refused.io,
      {
        checkToken: async () => ({
          ok: false,
          kind: 'refused',
          message: 'TestIO refused the token (HTTP 401)',
        }),
      },
    );
    expect(code).toBe(2);
    expect(refused.err()).toContain('HTTP 401');
    expect(refused.err()).not.toContain(TOKEN);

    const noKey = io(TOKEN);
    const { TESTIO_MASTER_KEY: _omitted, ...withoutKey } = env;
    expect(await runTenantsCommand(['add', 'beta'], withoutKey, noKey.io, { checkToken: accept })).toBe(2);
    expect(noKey.err()).toContain('needs the master key');
  });

  it('re-encrypts under a new key, and removes a tenant revoking its keys', async () => {
    await runTenantsCommand(['add', 'acme'], env, io(TOKEN).io, { checkToken: accept });
    const key = io();
    await runKeysCommand(
      ['create', '--tenant', 'acme', '--role', 'viewer', '--name', 'a', '--json'],
      env,
      key.io,
    );
    const next = randomBytes(32).toString('hex');
    const rekeyed = io(`${next}\n`);
    expect(await runTenantsCommand(['rekey'], env, rekeyed.io)).toBe(0);
    expect(rekeyed.out()).toContain('Re-encrypted 1 tenant token');
    // The old key no longer opens the tokens: a second rekey from it fails without writing anything.
    const stale = io(`${next}\n`);
    expect(await runTenantsCommand(['rekey'], env, stale.io)).toBe(2);
    expect(stale.err()).toContain('does not decrypt');
    expect(
      await runTenantsCommand(
        ['rekey'],
        { ...env, TESTIO_MASTER_KEY: next },
        io(`${randomBytes(32).toString('hex')}`).io,
      ),
    ).toBe(0);

    const removed = io();
    expect(await runTenantsCommand(['remove', 'acme'], env, removed.io)).toBe(0);
    const keys = io();
    await runKeysCommand(['list', '--json'], env, keys.io);
    expect(JSON.parse(keys.out())).toEqual([expect.objectContaining({ tenant: 'acme', state: 'revoked' })]);
  });
});
