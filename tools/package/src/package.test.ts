import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/**
 * The published package as a user gets it: build it, `npm pack` it, `npm install` the tarball into an
 * empty folder (no workspace around it), then run the installed `testio-mcp` bin: the MCP server through
 * the SDK's stdio client, the REST API with Swagger UI, sync against the bundled sandbox, `start`.
 */

const ROOT = path.resolve(import.meta.dirname, '../../..');
const BUILD_SCRIPT = path.join(ROOT, 'tools/package/scripts/build-package.mjs');
const ROOT_PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const LOCK = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};
const VERSION = ROOT_PACKAGE.version;

let work: string;
let tarball: string;
let app: string;
let bin: string;
let installed: string;
const children: ChildProcessWithoutNullStreams[] = [];

/** The environment of a child: this one without npm's per-run variables (the outer `npm test` sets them). */
function baseEnv(): NodeJS.ProcessEnv {
  // npm's own per-run variables are left out, except the Node headers to build native modules against:
  // without it, a run on another Node than the machine's (CI's Node 24 suite) would compile better-sqlite3
  // against the headers the user-level npmrc names, and the installed bin could not load it.
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || /^npm_config_nodedir$/i.test(key)),
  );
}

/** A user's environment: no TestIO settings, a home and a database of its own, node on the PATH. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: path.join(work, 'home'),
    TESTIO_DB_PATH: path.join(work, 'db', 'mirror.db'),
    LOG_FORMAT: 'json',
    ...extra,
  };
}

function launch(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child = spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    exited,
    out: () => stdout,
    err: () => stderr,
    async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
      const started = Date.now();
      for (;;) {
        const match = stdout.match(pattern) ?? stderr.match(pattern);
        if (match) return match;
        if (child.exitCode !== null)
          throw new Error(`exited ${child.exitCode} before ${pattern}:\n${stdout}\n${stderr}`);
        if (Date.now() - started > timeoutMs)
          throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${stdout}\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

async function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const p = launch(command, args, options);
  const code = await p.exited;
  return { code, stdout: p.out(), stderr: p.err() };
}

/** Runs the installed bin (its .bin link, as npx and a client configuration would). */
const testioMcp = (args: string[], extra: Record<string, string> = {}) =>
  run(bin, args, { cwd: app, env: userEnv(extra) });

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? walk(file) : [file];
  });
}

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'testio-mcp-package-'));
  mkdirSync(path.join(work, 'home'));
  const built = await run(process.execPath, [BUILD_SCRIPT, '--out', path.join(work, 'out'), '--pack'], {
    cwd: ROOT,
    env: baseEnv(),
  });
  expect(built.code, built.stderr).toBe(0);
  tarball = path.join(work, 'out', `testio-mcp-${VERSION}.tgz`);

  // An empty project that approves better-sqlite3's install script (npm 11 reviews dependency scripts
  // against allowScripts) and, like the workspace, not @scarf/scarf's usage report. With no network but the
  // registry, prebuild-install finds no binary and node-gyp compiles better-sqlite3.
  app = path.join(work, 'app');
  mkdirSync(app);
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({
      name: 'testio-mcp-install-check',
      private: true,
      allowScripts: { 'better-sqlite3': true, '@scarf/scarf': false },
    }),
  );
  const started = Date.now();
  const install = await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: app,
    env: baseEnv(),
  });
  expect(install.code, `${install.stdout}\n${install.stderr}`).toBe(0);
  process.stderr.write(
    `package.test: npm install of the tarball took ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  bin = path.join(app, 'node_modules', '.bin', 'testio-mcp');
  installed = path.join(app, 'node_modules', 'testio-mcp');
}, 420_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the tarball', () => {
  it("holds the bundled bin, the migrations, the OpenAPI document, the charts' font and documents, and no TypeScript", async () => {
    const list = await run('tar', ['-tzf', tarball], { cwd: work, env: baseEnv() });
    expect(list.code).toBe(0);
    const files = list.stdout
      .trim()
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'THIRD_PARTY_NOTICES.md',
        'dist/testio-mcp.mjs',
        // The read worker thread's entry (ADR 0027).
        'dist/read-worker.mjs',
        'dist/generated/openapi.json',
        // The charts' font and its licence (libs/charts/fonts).
        'fonts/DejaVuSans.ttf',
        'fonts/LICENSE-DejaVu.txt',
      ]),
    );
    const migrations = readdirSync(path.join(ROOT, 'prisma/migrations'), { withFileTypes: true }).filter(
      (d) => d.isDirectory(),
    );
    expect(migrations.length).toBeGreaterThan(0);
    for (const migration of migrations) expect(files).toContain(`migrations/${migration.name}/migration.sql`);
    expect(files.filter((f) => /\.[cm]?tsx?$|tsconfig/.test(f))).toEqual([]);
    expect(files.every((f) => /^(dist|migrations|fonts)\/|^[^/]+$/.test(f))).toBe(true);
  });
});

describe('the installed package', () => {
  it('declares the bin, Node 20.19, and only the external runtime dependencies at the locked versions', () => {
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(manifest).toMatchObject({
      name: 'testio-mcp',
      version: VERSION,
      type: 'module',
      bin: { 'testio-mcp': 'dist/testio-mcp.mjs' },
      engines: { node: '>=20.19' },
    });
    expect(manifest['devDependencies']).toBeUndefined();
    expect(manifest['scripts']).toBeUndefined();
    const dependencies = manifest['dependencies'] as Record<string, string>;
    expect(Object.keys(dependencies).sort()).toEqual([
      '@prisma/adapter-better-sqlite3',
      '@prisma/client',
      '@resvg/resvg-js',
      'better-sqlite3',
      'pino',
      'swagger-ui-dist',
    ]);
    for (const [name, version] of Object.entries(dependencies))
      expect(version, name).toBe(LOCK.packages[`node_modules/${name}`]?.version);
    // No TypeScript runtime and no workspace packages came along.
    expect(existsSync(path.join(app, 'node_modules', 'tsx'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules', '@testio-mcp'))).toBe(false);
  });

  it('mentions no path of the checkout it was built from', () => {
    const offenders = walk(installed).filter((file) => readFileSync(file, 'utf8').includes(ROOT));
    expect(offenders).toEqual([]);
  });

  it('prints its version and the status of an empty mirror', async () => {
    const version = await testioMcp(['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);

    const status = await testioMcp(['sync', '--status']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/products\s+0/);
    // The bundled migrator found the package's migrations.
    expect(status.stderr).toContain('applied database migration');
    expect(existsSync(path.join(work, 'db', 'mirror.db'))).toBe(true);
  });
});

describe('the installed package on the bundled sandbox', () => {
  let sandbox: ReturnType<typeof launch>;
  let env: Record<string, string>;
  let upstream: { products: Array<{ id: number; name: string }> };

  beforeAll(async () => {
    // Started by the test itself, not by afterEach's clean-up: it serves every test of this block.
    sandbox = launch(bin, ['sandbox', '--port', '0', '--scale', 'demo', '--seed', '7'], {
      cwd: app,
      env: userEnv(),
    });
    children.splice(children.indexOf(sandbox.child), 1);
    const [, baseUrl = ''] = await sandbox.waitFor(/base URL\s+(http:\/\/127\.0\.0\.1:\d+\/customer\/v2)/);
    env = { TESTIO_CUSTOMER_API_TOKEN: 'sandbox-token', TESTIO_CUSTOMER_API_BASE_URL: baseUrl };
    const response = await fetch(`${baseUrl}/products`, {
      headers: { Authorization: 'Token sandbox-token' },
    });
    upstream = (await response.json()) as typeof upstream;
    const sync = await testioMcp(['sync'], env);
    expect(sync.code, sync.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    if (sandbox?.child.exitCode === null) {
      sandbox.child.kill('SIGTERM');
      await sandbox.exited;
    }
  });

  it('serves the MCP tools over stdio to the SDK client', async () => {
    const transport = new StdioClientTransport({
      command: bin,
      args: ['serve', '--transport', 'stdio'],
      env: userEnv(env),
      cwd: app,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: 'package-test', version: '1.0.0' });
    await client.connect(transport);
    try {
      expect(client.getServerVersion()).toMatchObject({ name: 'testio-mcp', version: VERSION });
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['list_products', 'search', 'sync_data']),
      );
      const result = await client.callTool({ name: 'list_products', arguments: {} });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const data = result.structuredContent as {
        total_count: number;
        products: Array<{ id: number; name: string }>;
      };
      expect(data.total_count).toBe(upstream.products.length);
      expect(data.products.map((p) => p.name).sort()).toEqual(upstream.products.map((p) => p.name).sort());
      expect(stderr).toContain('MCP server ready on stdio');
    } finally {
      await client.close();
    }
  });

  it('serves the REST API with its OpenAPI document and Swagger UI from the package', async () => {
    const api = launch(bin, ['api', '--port', '0'], { cwd: app, env: userEnv(env) });
    const [, apiUrl = ''] = await api.waitFor(/TestIO REST API\s+(http:\/\/127\.0\.0\.1:\d+\/api)/);
    const origin = apiUrl.replace(/\/api$/, '');
    const health = await fetch(`${origin}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ version: VERSION, database: { reachable: true } });
    const docs = await fetch(`${origin}/docs/`);
    expect(docs.status).toBe(200);
    const html = await docs.text();
    expect(html).toContain('swagger-ui');
    // The page's scripts and styles come from swagger-ui-dist, installed beside the package.
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
      const response = await fetch(`${origin}/docs/${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(10_000);
    }
    const spec = (await (await fetch(`${origin}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toContain('/api/products');
    const products = (await (await fetch(`${apiUrl}/products`)).json()) as { total_count: number };
    expect(products.total_count).toBe(upstream.products.length);
    // A search runs on a read worker thread, started from the bundle's dist/read-worker.mjs.
    const search = await fetch(
      `${apiUrl}/search?query=${encodeURIComponent(upstream.products[0]?.name ?? 'a')}`,
    );
    expect(search.status).toBe(200);
    expect(((await search.json()) as { total: number }).total).toBeGreaterThan(0);
    api.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
  });
});

describe('`testio-mcp start` from the installed package', () => {
  it('runs its children through the installed bin and prints stdio configurations that use it', async () => {
    const start = launch(bin, ['start'], {
      cwd: app,
      env: userEnv({
        TESTIO_SANDBOX_PORT: '0',
        TESTIO_SANDBOX_SCALE: 'demo',
        TESTIO_HTTP_PORT: '0',
        TESTIO_REST_PORT: '0',
        TESTIO_DB_PATH: path.join(work, 'db', 'demo.db'),
      }),
    });
    await start.waitFor(/Press Ctrl-C to stop/, 90_000);
    expect(start.err()).toMatch(/\[worker\]/);
    expect(start.err()).toContain(JSON.stringify(path.join(app, 'node_modules', '.bin', 'testio-mcp')));
    start.child.kill('SIGTERM');
    expect(await start.exited).toBe(0);
  });
});
