import { describe, expect, it } from 'vitest';
import { clientConfigs, readyBanner, restBase, stdioEnv } from './client-configs.js';

const ENTRY = '/opt/testio mcp/bin/testio-mcp.mjs';
const URL = 'http://127.0.0.1:8080/mcp';

describe('client configurations', () => {
  it('give every client an HTTP and a stdio way in, the stdio one running the same entry', () => {
    const configs = clientConfigs({ url: URL, env: { TESTIO_DB_PATH: '/tmp/db' }, entry: ENTRY });
    expect(configs.map((c) => `${c.client} ${c.transport}`).sort()).toEqual([
      'Claude Code HTTP',
      'Claude Code stdio',
      'Claude Desktop HTTP',
      'Claude Desktop stdio',
      'Cursor HTTP',
      'Cursor stdio',
    ]);
    const cursor = configs.find((c) => c.client === 'Cursor' && c.transport === 'stdio');
    const server = (JSON.parse(cursor?.text ?? '{}') as { mcpServers: Record<string, { args: string[] }> })
      .mcpServers['testio-mcp'];
    expect(server?.args.slice(-4)).toEqual([ENTRY, 'serve', '--transport', 'stdio']);
    // A path with a space is quoted for the shell.
    const claude = configs.find((c) => c.client === 'Claude Code' && c.transport === 'stdio');
    expect(claude?.text).toContain(`'${ENTRY}'`);
    expect(claude?.text).toContain('-e TESTIO_DB_PATH=/tmp/db');
  });

  it('never print a real token: a placeholder outside demo mode', () => {
    const env = stdioEnv({ TESTIO_CUSTOMER_API_TOKEN: 'real-secret-token' }, false);
    expect(env.TESTIO_CUSTOMER_API_TOKEN).toBe('<your TestIO API token>');
    expect(env.TESTIO_DEMO_MODE).toBeUndefined();
    const banner = readyBanner(URL, { TESTIO_CUSTOMER_API_TOKEN: 'real-secret-token' }, false, ENTRY);
    expect(banner).not.toContain('real-secret-token');
    expect(banner).toContain('replace the token placeholder');
  });

  it("pass the sandbox's token in demo mode, which only works while start runs", () => {
    const env = stdioEnv(
      { TESTIO_CUSTOMER_API_TOKEN: 'sandbox-token', TESTIO_DB_PATH: '/tmp/demo.db' },
      true,
    );
    expect(env).toMatchObject({
      TESTIO_CUSTOMER_API_TOKEN: 'sandbox-token',
      TESTIO_DB_PATH: '/tmp/demo.db',
      TESTIO_DEMO_MODE: 'true',
    });
    expect(readyBanner(URL, { TESTIO_CUSTOMER_API_TOKEN: 'sandbox-token' }, true, ENTRY)).toContain(
      'they work while `npm start` runs',
    );
  });

  it('carry a bearer header with a placeholder when the server requires a key, never a key', () => {
    const configs = clientConfigs({ url: URL, env: {}, entry: ENTRY, keyRequired: true });
    const http = configs.filter((c) => c.transport === 'HTTP').map((c) => c.text);
    expect(http).toHaveLength(3);
    for (const text of http) expect(text).toMatch(/Authorization"?: "?Bearer <your API key>/);
    expect(http[0]).toContain(`--header 'Authorization: Bearer <your API key>'`);
    const banner = readyBanner(URL, { TESTIO_API_KEYS: 'k-real-key-0123456789' }, false, ENTRY, true);
    expect(banner).not.toContain('k-real-key-0123456789');
    expect(banner).toContain('testio-mcp keys create');
    expect(
      clientConfigs({ url: URL, env: {}, entry: ENTRY })
        .map((c) => c.text)
        .join('\n'),
    ).not.toContain('Authorization');
  });

  it('put the REST API beside /mcp, under TESTIO_REST_BASE_PATH when set', () => {
    expect(restBase(URL, {})).toBe('http://127.0.0.1:8080');
    expect(restBase(URL, { TESTIO_REST_BASE_PATH: '/testio/' })).toBe('http://127.0.0.1:8080/testio');
    expect(readyBanner(URL, { TESTIO_REST_BASE_PATH: '/testio' }, false, ENTRY)).toContain(
      'REST API         http://127.0.0.1:8080/testio/api',
    );
  });
});
