import os from 'node:os';
import path from 'node:path';
import { heapFlagsFor } from '@testio-mcp/app-runtime';
import type { ChildEnv } from './children.js';

/** One ready-to-paste client configuration, and where it goes. */
export interface ClientConfig {
  readonly client: string;
  readonly transport: 'HTTP' | 'stdio';
  readonly where: string;
  readonly text: string;
}

export interface ClientConfigOptions {
  /** The running server's MCP endpoint. */
  readonly url: string;
  /** The environment a stdio client passes to the `serve` it starts. */
  readonly env: Readonly<Record<string, string>>;
  /** The CLI entry a stdio client runs (the one `start` was started from). */
  readonly entry: string;
  /** The server requires an API key: the HTTP configurations carry a bearer header with a placeholder. */
  readonly keyRequired?: boolean;
}

/** Stands for the key in printed configurations: keys are shown once, by `keys create`, never here. */
export const KEY_PLACEHOLDER = '<your API key>';

const json = (value: unknown) => JSON.stringify(value, null, 2);
const quote = (value: string) =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
const indent = (text: string, pad: string) =>
  text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');

/**
 * Ready-to-paste configurations for Claude Desktop, Claude Code and Cursor, over HTTP (this running
 * server) and over stdio (the client starts its own `testio-mcp serve`, with the env it needs).
 */
export function clientConfigs({ url, env, entry, keyRequired = false }: ClientConfigOptions): ClientConfig[] {
  const authorization = `Bearer ${KEY_PLACEHOLDER}`;
  const headers = keyRequired ? { headers: { Authorization: authorization } } : {};
  const command = process.execPath;
  const args = [...heapFlagsFor(process.env), entry, 'serve', '--transport', 'stdio'];
  const stdio = { command, args, env };
  const envFlags = Object.entries(env)
    .map(([key, value]) => `-e ${quote(`${key}=${value}`)}`)
    .join(' ');
  return [
    {
      client: 'Claude Code',
      transport: 'HTTP',
      where: 'run in a terminal',
      text: `claude mcp add --transport http testio-mcp ${url}${keyRequired ? ` --header ${quote(`Authorization: ${authorization}`)}` : ''}`,
    },
    {
      client: 'Claude Code',
      transport: 'stdio',
      where: 'run in a terminal',
      text: `claude mcp add testio-mcp ${envFlags} -- ${[command, ...args].map(quote).join(' ')}`,
    },
    {
      client: 'Cursor',
      transport: 'HTTP',
      where: '~/.cursor/mcp.json',
      text: json({ mcpServers: { 'testio-mcp': { url, ...headers } } }),
    },
    {
      client: 'Cursor',
      transport: 'stdio',
      where: '~/.cursor/mcp.json',
      text: json({ mcpServers: { 'testio-mcp': stdio } }),
    },
    {
      client: 'Claude Desktop',
      transport: 'stdio',
      where: 'claude_desktop_config.json',
      text: json({ mcpServers: { 'testio-mcp': stdio } }),
    },
    {
      client: 'Claude Desktop',
      transport: 'HTTP',
      where: 'claude_desktop_config.json, through the mcp-remote bridge',
      text: json({
        mcpServers: {
          'testio-mcp': {
            command: 'npx',
            args: [
              '-y',
              'mcp-remote',
              url,
              ...(keyRequired ? ['--header', `Authorization: ${authorization}`] : []),
            ],
          },
        },
      }),
    },
  ];
}

/** The env a stdio client must pass: the sandbox's in demo mode, a placeholder for a real token. */
export function stdioEnv(childEnv: ChildEnv, demo: boolean): Record<string, string> {
  const env: Record<string, string> = {
    TESTIO_CUSTOMER_API_TOKEN: demo ? (childEnv.TESTIO_CUSTOMER_API_TOKEN ?? '') : '<your TestIO API token>',
    TESTIO_CUSTOMER_API_BASE_URL: childEnv.TESTIO_CUSTOMER_API_BASE_URL || 'https://api.test.io/customer/v2',
    TESTIO_DB_PATH: childEnv.TESTIO_DB_PATH || path.join(os.homedir(), '.testio-mcp', 'cache.db'),
  };
  if (demo) env.TESTIO_DEMO_MODE = 'true';
  return env;
}

/** Where the REST API lives beside `url`: the same port (hybrid mode), under TESTIO_REST_BASE_PATH when set. */
export function restBase(url: string, childEnv: ChildEnv): string {
  return url.replace(/\/mcp$/, '') + (childEnv.TESTIO_REST_BASE_PATH || '').replace(/\/+$/, '');
}

/** What `start` prints once the server answers: its URLs and the client configurations. */
export function readyBanner(
  url: string,
  childEnv: ChildEnv,
  demo: boolean,
  entry: string,
  keyRequired = false,
): string {
  const base = restBase(url, childEnv);
  const lines = [
    '',
    `  MCP server       ${url}   (health: ${base}/health, metrics: ${base}/metrics)`,
    `  REST API         ${base}/api   (docs: ${base}/docs, OpenAPI: ${base}/openapi.json)`,
    '',
    '  Connect an MCP client (more in docs/mcp-clients.md):',
  ];
  for (const config of clientConfigs({ url, env: stdioEnv(childEnv, demo), entry, keyRequired })) {
    lines.push('', `  ${config.client}, ${config.transport} (${config.where}):`, indent(config.text, '    '));
  }
  if (demo) {
    lines.push('', '  stdio configurations use the sandbox above: they work while `npm start` runs.');
  } else {
    lines.push('', '  stdio configurations: replace the token placeholder (it is never printed).');
  }
  if (keyRequired) {
    lines.push(
      '',
      `  This server requires an API key: replace ${KEY_PLACEHOLDER} with one from`,
      '  `testio-mcp keys create --tenant default --role viewer --name "<label>"` (shown once; docs/deployment.md).',
    );
  }
  lines.push('', '  Press Ctrl-C to stop.', '');
  return lines.join('\n');
}
