import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSandbox, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, type Launched } from './__fixtures__/processes.js';
import { run } from './__fixtures__/run.js';

/**
 * The quality report's HTML page, as the person it is sent to opens it: `testio-mcp api` on a mirror
 * synced from the sandbox answers GET /api/quality-report?format=html, the page is saved to a file and
 * Debian's headless Chromium opens it from disk, with the network cut off (a self-contained page needs
 * none), draws every chart and takes a screenshot that shows them.
 */

const CHROMIUM = '/usr/bin/chromium';
let sandbox: RunningSandbox;
let dir: string;
let api: Launched;
let apiUrl = '';

beforeAll(async () => {
  sandbox = await startSandbox({
    port: 0,
    seed: 7,
    scale: 'small',
    anchor: new Date('2025-06-01T00:00:00Z'),
  });
  dir = mkdtempSync(path.join(tmpdir(), 'testio-html-report-'));
  const env = {
    ...process.env,
    TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
    TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
    TESTIO_DB_PATH: path.join(dir, 'mirror.db'),
    TESTIO_REST_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const sync = launch(['sync', '--force'], env);
  expect(await sync.exited).toBe(0);
  api = launch(['api'], env);
  [, apiUrl = ''] = await api.waitFor(/TestIO REST API\s+(http:\/\/\S+?\/api)\b/);
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function chromium(args: string[]): Promise<string> {
  const result = await run(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Every host name fails to resolve: anything the page tried to fetch would be missing.
      '--host-resolver-rules=MAP * ~NOTFOUND',
      `--user-data-dir=${path.join(dir, 'profile')}`,
      '--window-size=1200,2400',
      ...args,
    ],
    { timeoutMs: 60_000 },
  );
  if (result.error) throw result.error;
  return result.stdout;
}

/** How much of a screenshot is drawn: pixels that are not the page's white, and distinct colours. */
function drawn(png: Buffer): { width: number; inked: number; colours: number } {
  const { width, height, data } = PNG.sync.read(png);
  const colours = new Map<number, number>();
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r = 0, g = 0, b = 0] = [data[i], data[i + 1], data[i + 2]];
    if (r < 245 || g < 245 || b < 245) inked++;
    const key = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
    colours.set(key, (colours.get(key) ?? 0) + 1);
  }
  const pixels = width * height;
  return {
    width,
    inked: inked / pixels,
    colours: [...colours.values()].filter((n) => n >= pixels / 2000).length,
  };
}

describe('the quality report as HTML', () => {
  it('opens from disk in headless Chromium without the network, with its charts drawn', async () => {
    expect(
      existsSync(CHROMIUM),
      'Debian chromium is required (npm test installs it as root; or apt-get install chromium)',
    ).toBe(true);
    const res = await fetch(`${apiUrl}/quality-report?format=html&max_tests=10`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const file = path.join(dir, 'report.html');
    writeFileSync(file, await res.text());
    const url = pathToFileURL(file).href;

    const dom = await chromium(['--dump-dom', url]);
    expect(dom).toContain('<h1>Quality report:');
    // Eight charts for several products, each an SVG with its bars or lines (vega's mark groups).
    const figures = dom.match(/<figure role="img"[\s\S]*?<\/figure>/g) ?? [];
    expect(figures).toHaveLength(8);
    for (const figure of figures) expect(figure).toMatch(/class="mark-(rect|line|symbol)/);

    const screenshot = path.join(dir, 'report.png');
    await chromium([`--screenshot=${screenshot}`, url]);
    const facts = drawn(readFileSync(screenshot));
    expect(facts.width).toBe(1200);
    // Text, tables and charts: a blank or error page is nearly all white and of one or two colours.
    expect(facts.inked).toBeGreaterThan(0.05);
    expect(facts.colours).toBeGreaterThan(6);
  });
});
