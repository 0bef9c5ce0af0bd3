import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, type Launched } from './__fixtures__/processes.js';
import { run } from './__fixtures__/run.js';

/**
 * The REST API's Swagger UI, as a person opens it: Debian's headless Chromium loads /docs from the
 * running `testio-mcp api` (assets served locally, no CDN) and the rendered page lists every endpoint.
 */

const CHROMIUM = '/usr/bin/chromium';
let dir: string;
let api: Launched;
let origin: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'testio-docs-'));
  api = launch(['api'], {
    ...process.env,
    // The docs need no data and no upstream: a fresh mirror and an unreachable API are enough.
    TESTIO_CUSTOMER_API_TOKEN: 'docs-test-token',
    TESTIO_CUSTOMER_API_BASE_URL: 'http://127.0.0.1:9/customer/v2',
    TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
    TESTIO_REST_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  const [, apiUrl] = await api.waitFor(/TestIO REST API\s+(http:\/\/\S+?)\/api\b/);
  origin = apiUrl ?? '';
}, 120_000);

afterAll(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function chromium(args: string[]): Promise<string> {
  const result = await run(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${path.join(dir, 'profile')}`,
      '--virtual-time-budget=15000',
      '--window-size=1280,3000',
      ...args,
    ],
    { timeoutMs: 60_000 },
  );
  if (result.error) throw result.error;
  return result.stdout;
}

describe('Swagger UI at /docs', () => {
  it('renders in headless Chromium and lists every endpoint of the OpenAPI document', async () => {
    expect(
      existsSync(CHROMIUM),
      'Debian chromium is required (npm test installs it as root; or apt-get install chromium)',
    ).toBe(true);
    const spec = (await (await fetch(`${origin}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const paths = Object.keys(spec.paths);
    expect(paths.length).toBeGreaterThan(10);

    const dom = await chromium(['--dump-dom', `${origin}/docs/`]);
    // Swagger UI builds the operation list with JavaScript: these are only present once it ran.
    expect(dom).toContain('opblock');
    const missing = paths.filter((p) => !dom.includes(p));
    expect(missing).toEqual([]);
    expect(dom).not.toMatch(/unpkg|jsdelivr|cdnjs/);

    const screenshot = path.join(dir, 'docs.png');
    await chromium([`--screenshot=${screenshot}`, `${origin}/docs/`]);
    // A rendered Swagger UI is a large image (~250 KB here); an error page is about 30 KB.
    expect(statSync(screenshot).size).toBeGreaterThan(100_000);
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
  });
});
