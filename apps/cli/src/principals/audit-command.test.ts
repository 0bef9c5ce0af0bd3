import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEngines, commandIo as io, type CliDatabase } from '../__fixtures__/cli-engines.js';
import { parseSince, runAuditCommand } from './audit-command.js';

/**
 * `testio-mcp audit` on both engines (a SQLite file, a PostgreSQL database named by TESTIO_DATABASE_URL),
 * holding entries written through the audit sink a serving process writes with.
 */

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);

describe.each(cliEngines)('testio-mcp audit on $name', (engine) => {
  let db: CliDatabase;
  let env: Record<string, string>;

  beforeEach(async () => {
    db = await engine.open();
    env = db.env;
    const server = await db.openAsServer();
    const audit = server.openAuditSink();
    await audit.sink.insertMany([
      {
        at: hoursAgo(48),
        principal: 'tmcp_0123456789ab',
        tenant: 'default',
        surface: 'rest',
        action: 'GET /api/products',
        outcome: 'ok',
        status: 200,
        durationMs: 7,
      },
      {
        at: hoursAgo(1),
        principal: 'oauth:ada',
        tenant: 'acme',
        surface: 'mcp',
        action: 'list_tests',
        outcome: 'rate_limited',
        status: null,
        durationMs: 1,
      },
    ]);
    audit.close();
  });
  afterEach(() => db.cleanup());

  it('prints recent entries newest first, as a table or JSON, filtered by tenant and time', async () => {
    const all = io();
    expect(await runAuditCommand([], env, all.io)).toBe(0);
    const lines = all.out().trim().split('\n');
    expect(lines[0]).toMatch(/^AT\s+PRINCIPAL\s+TENANT\s+SURFACE\s+ACTION\s+OUTCOME\s+STATUS\s+MS$/);
    expect(lines[1]).toMatch(/oauth:ada\s+acme\s+mcp\s+list_tests\s+rate_limited\s+-\s+1$/);
    expect(lines[2]).toMatch(/tmcp_0123456789ab\s+default\s+rest\s+GET \/api\/products\s+ok\s+200\s+7$/);

    const recent = io();
    expect(await runAuditCommand(['--since', '24h', '--json'], env, recent.io)).toBe(0);
    expect(JSON.parse(recent.out())).toEqual([
      expect.objectContaining({ principal: 'oauth:ada', tenant: 'acme', outcome: 'rate_limited' }),
    ]);
    const tenant = io();
    expect(await runAuditCommand(['--tenant', 'default', '--json'], env, tenant.io)).toBe(0);
    expect((JSON.parse(tenant.out()) as Array<{ action: string }>).map((r) => r.action)).toEqual([
      'GET /api/products',
    ]);
  });

  it('says so when nothing matches, and refuses a bad tenant or limit with the three-part error', async () => {
    const none = io();
    expect(await runAuditCommand(['--tenant', 'nobody'], env, none.io)).toBe(0);
    expect(none.out()).toContain('No audit entries match');
    const badTenant = io();
    expect(await runAuditCommand(['--tenant', 'Not A Slug'], env, badTenant.io)).toBe(2);
    expect(badTenant.err()).toContain("--tenant 'Not A Slug' is not a tenant slug");
    const badLimit = io();
    expect(await runAuditCommand(['--limit', '0'], env, badLimit.io)).toBe(2);
    expect(badLimit.err()).toContain("--limit '0' is not a whole number from 1 to 10000");
    const limited = io();
    expect(await runAuditCommand(['--limit', '1', '--since', '7d', '--json'], env, limited.io)).toBe(0);
    expect(JSON.parse(limited.out())).toHaveLength(1);
  });

  it('refuses a --since it cannot read with the three-part error', async () => {
    const bad = io();
    expect(await runAuditCommand(['--since', 'yesterday'], env, bad.io)).toBe(2);
    expect(bad.err()).toMatch(/--since 'yesterday' is neither a duration nor a date[\s\S]*💡 Use a duration/);
    expect(parseSince('2026-12-01', { now: () => new Date() }).toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
  });
});
