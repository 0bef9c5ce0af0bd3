import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  cliEngines,
  closedPort,
  commandIo as io,
  URL_PASSWORD,
  type CliDatabase,
} from '../__fixtures__/cli-engines.js';
import { runAuditCommand } from './audit-command.js';
import { runKeysCommand } from './keys-command.js';
import { runTenantsCommand } from './tenants-command.js';

/**
 * `testio-mcp keys` and `tenants` on both engines: a real SQLite file in a temp dir, and a fresh database
 * on the test PostgreSQL server (TESTIO_DATABASE_URL, ADR 0034). Same commands, same output.
 */

const TOKEN = 'acme-token-Q7v9-never-in-clear-31337';
let db: CliDatabase | undefined;
let env: Record<string, string>;

afterEach(async () => {
  await db?.cleanup();
  db = undefined;
});

const accept = async () => ({ ok: true as const, products: [] });

describe.each(cliEngines)('on $name', (engine) => {
  async function open(options: { migrated?: boolean } = {}): Promise<CliDatabase> {
    const opened = await engine.open(options);
    db = opened;
    env = { ...opened.env, TESTIO_MASTER_KEY: randomBytes(32).toString('hex') };
    return opened;
  }

  describe('testio-mcp keys', () => {
    it('creates a key shown once, lists it without the secret, and revokes it', async () => {
      // A database nothing has migrated yet: the first command migrates it, as on a new server.
      await open({ migrated: false });
      const created = io();
      expect(
        await runKeysCommand(
          [
            'create',
            '--tenant',
            'default',
            '--role',
            'operator',
            '--name',
            'ci',
            '--expires',
            '90d',
            '--json',
          ],
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
      for (const run of [created, listed, revoked, after, again]) {
        expect(`${run.out()}${run.err()}`).not.toContain(URL_PASSWORD);
      }
    });

    it('creates and revokes keys a running server sees without a restart', async () => {
      const server = await (await open()).openAsServer();
      const created = io();
      expect(
        await runKeysCommand(
          ['create', '--tenant', 'default', '--role', 'viewer', '--name', 'seen', '--json'],
          env,
          created.io,
        ),
      ).toBe(0);
      const { id } = JSON.parse(created.out()) as { id: string };
      // SQLite: the server reads the file; PostgreSQL: its copy is reloaded on the command's NOTIFY.
      await vi.waitFor(() => expect(server.principals.findApiKey(id)).toMatchObject({ revokedAt: null }));
      expect(await runKeysCommand(['revoke', id], env, io().io)).toBe(0);
      await vi.waitFor(() => expect(server.principals.findApiKey(id)?.revokedAt).toBeInstanceOf(Date));
      expect(server.principals.hasUsableApiKey(new Date())).toBe(false);
    });

    it('refuses an unknown role with exit 2 and the three-part message', async () => {
      await open();
      const run = io();
      expect(
        await runKeysCommand(['create', '--tenant', 'default', '--role', 'root', '--name', 'x'], env, run.io),
      ).toBe(2);
      expect(run.err()).toMatch(/❌ --role 'root' is not a role\nℹ️ .*viewer, operator, admin/);
    });
  });

  describe('testio-mcp tenants', () => {
    it('adds a tenant from stdin, never stores the token in clear, and lists it without it', async () => {
      const opened = await open();
      const added = io(`${TOKEN}\n`);
      expect(
        await runTenantsCommand(['add', 'acme', '--customer-id', '42'], env, added.io, {
          checkToken: accept,
        }),
      ).toBe(0);
      expect(added.out()).toContain('Added tenant acme (customer id 42');
      const listed = io();
      await runTenantsCommand(['list'], env, listed.io);
      expect(listed.out()).toMatch(/acme\s+42\s+https:\/\/api\.test\.io\/customer\/v2\s+encrypted/);
      expect(listed.out()).not.toContain(TOKEN);
      const stored = await opened.storedText();
      expect(stored).toContain('acme');
      expect(stored).not.toContain(TOKEN);
      const key = io();
      expect(
        await runKeysCommand(['create', '--tenant', 'acme', '--role', 'viewer', '--name', 'a'], env, key.io),
      ).toBe(0);
      for (const run of [added, listed, key]) expect(`${run.out()}${run.err()}`).not.toContain(URL_PASSWORD);
    });

    it('reads the token from --token-env, refuses a token the API refuses, and needs the master key', async () => {
      await open();
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
      await open();
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

  if (engine.name === 'postgresql') {
    it('uses the URL, not the SQLite file', async () => {
      await open();
      expect(await runKeysCommand(['list'], env, io().io)).toBe(0);
      expect(existsSync(env['TESTIO_DB_PATH'] ?? '')).toBe(false);
    });

    it('never shows a key the database refused to store, and says so in three parts', async () => {
      const { execute } = await open();
      if (!execute) throw new Error('the PostgreSQL fixture runs SQL');
      await execute(`
        CREATE FUNCTION refuse_keys() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'no new keys here'; END $$;
        CREATE TRIGGER refuse_keys BEFORE INSERT ON "api_keys" FOR EACH ROW EXECUTE FUNCTION refuse_keys();`);
      const refused = io();
      expect(
        await runKeysCommand(
          ['create', '--tenant', 'default', '--role', 'viewer', '--name', 'x'],
          env,
          refused.io,
        ),
      ).toBe(1);
      expect(refused.out()).toBe('');
      expect(refused.err()).toMatch(
        /^❌ The change was not stored in the mirror at postgresql:\/\/postgres:\*\*\*@[^\n]+\nℹ️ The database refused the write/,
      );
      expect(refused.err()).not.toContain(URL_PASSWORD);
      expect(refused.err()).not.toContain('no new keys here');
      // Asked for, the database's own answer is on stderr too.
      const debug = io();
      const create = ['create', '--tenant', 'default', '--role', 'viewer', '--name', 'x'];
      expect(await runKeysCommand(create, { ...env, LOG_LEVEL: 'debug' }, debug.io)).toBe(1);
      expect(debug.err()).toContain('no new keys here');
      expect(debug.err()).not.toContain(URL_PASSWORD);
      const listed = io();
      await runKeysCommand(['list', '--json'], env, listed.io);
      expect(JSON.parse(listed.out())).toEqual([]);
    });
  }
});

describe('an unreachable TESTIO_DATABASE_URL', () => {
  it('gives the three-part error with exit 2 for keys, tenants and audit, never the password', async () => {
    const port = await closedPort();
    const unreachable = {
      TESTIO_DATABASE_URL: `postgresql://testio:${URL_PASSWORD}@127.0.0.1:${port}/testio`,
    };
    const runs = [
      (r: ReturnType<typeof io>) => runKeysCommand(['list'], unreachable, r.io),
      (r: ReturnType<typeof io>) => runTenantsCommand(['list'], unreachable, r.io),
      (r: ReturnType<typeof io>) => runAuditCommand([], unreachable, r.io),
    ];
    for (const runCommand of runs) {
      const run = io();
      expect(await runCommand(run)).toBe(2);
      expect(run.out()).toBe('');
      expect(run.err()).toBe(
        [
          `❌ Cannot open the PostgreSQL mirror at postgresql://testio:***@127.0.0.1:${port}/testio`,
          'ℹ️ Nothing accepts connections at that host and port',
          '💡 Check that PostgreSQL runs and TESTIO_DATABASE_URL names its host, port, user and an existing database; unset TESTIO_DATABASE_URL to use the SQLite file',
          '',
        ].join('\n'),
      );
    }
  });
});
