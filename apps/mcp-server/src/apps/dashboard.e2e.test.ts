import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppHost } from '../__fixtures__/app-host.js';
import { CHROMIUM, launchChromium, type Browser } from '../__fixtures__/cdp.js';
import { startMcpStack, type McpStack } from '../__fixtures__/stack.js';
import { createServer } from '../server.js';
import { createHttpApp, listen, type RunningHttpServer } from '../transports/http.js';
import { DASHBOARD_URI, UI_EXTENSION_ID, UI_MIME_TYPE } from './index.js';

/**
 * The dashboard as a person sees it in a host that renders MCP Apps: a real server on the sandbox over
 * Streamable HTTP, the template read with the official SDK client, our minimal host page rendering it
 * in a sandboxed iframe in Debian's headless Chromium and relaying the view's tools/call to the server.
 * What the view shows is read from its DOM and compared with the same tools' answers.
 */

const SCREENSHOT = fileURLToPath(new URL('../../../../docs/images/dashboard.png', import.meta.url));

let stack: McpStack;
let http: RunningHttpServer;
let client: Client;
let dir: string;

beforeAll(async () => {
  stack = await startMcpStack();
  const { container, log } = stack;
  const app = createHttpApp({
    createServer: () => createServer({ services: container.services, logger: log.logger }),
    logger: log.logger,
    bindHost: '127.0.0.1',
    health: () => container.health(),
  });
  http = await listen(app, '127.0.0.1', 0);
  // The host declares MCP Apps support, as Claude, VS Code or Goose do (SEP-1865 capability negotiation).
  client = new Client(
    { name: 'testio-test-host', version: '1.0.0' },
    { capabilities: { extensions: { [UI_EXTENSION_ID]: { mimeTypes: [UI_MIME_TYPE] } } } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
  dir = mkdtempSync(path.join(tmpdir(), 'testio-app-host-'));
}, 180_000);

afterAll(async () => {
  await client?.close();
  await http?.close();
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface ViewFacts {
  ready: boolean;
  error: string;
  title: string;
  metrics: Record<string, string>;
  severity: Record<string, number>;
  status: Record<string, number>;
  features: string[];
  criticalBugIds: number[];
}

/** Evaluates an expression in the view's sandboxed frame (an isolated world: same DOM, own globals). */
async function frameEval(browser: Browser, expression: string): Promise<string | null> {
  const tree = await browser.send<{ frameTree: { childFrames?: Array<{ frame: { id: string } }> } }>(
    'Page.getFrameTree',
  );
  const frameId = tree.frameTree.childFrames?.[0]?.frame.id;
  if (!frameId) return null;
  const world = await browser.send<{ executionContextId: number }>('Page.createIsolatedWorld', {
    frameId,
    worldName: 'test',
  });
  const evaluated = await browser.send<{ result: { value?: unknown } }>('Runtime.evaluate', {
    expression,
    contextId: world.executionContextId,
    returnByValue: true,
  });
  return typeof evaluated.result.value === 'string' ? evaluated.result.value : null;
}

/** Reads the view's DOM inside its sandboxed frame (an isolated world of that frame). */
async function viewFacts(browser: Browser): Promise<ViewFacts | null> {
  const expression = `(() => {
    const rows = (list) => Object.fromEntries([...document.querySelectorAll('[data-list="' + list + '"] .bar-row')]
      .map((r) => [r.dataset.label, Number(r.dataset.value)]));
    return JSON.stringify({
      ready: document.body.dataset.ready === 'true',
      error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
      title: document.getElementById('product-title').textContent,
      metrics: Object.fromEntries([...document.querySelectorAll('.tile')]
        .map((t) => [t.dataset.metric, t.querySelector('.tile-value').textContent])),
      severity: rows('severity'),
      status: rows('status'),
      features: [...document.querySelectorAll('[data-list="features"] .bar-row')].map((r) => r.dataset.label),
      criticalBugIds: [...document.querySelectorAll('[data-bug-id]')].map((r) => Number(r.dataset.bugId)),
    });
  })()`;
  const json = await frameEval(browser, expression);
  return json ? (JSON.parse(json) as ViewFacts) : null;
}

async function until<T>(read: () => Promise<T | null>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const value = await read().catch(() => null);
    if (value !== null && done(value)) return value;
    if (attempt > 300) throw new Error(`the view never got ready: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Share of pixels that differ from the corner's background, and the distinct colours drawn. */
function drawn(png: Buffer): { inked: number; colours: number } {
  const { data } = PNG.sync.read(png);
  const [r0 = 0, g0 = 0, b0 = 0] = [data[0], data[1], data[2]];
  const colours = new Map<number, number>();
  let inked = 0;
  for (let i = 0; i < data.length; i += 4) {
    const [r = 0, g = 0, b = 0] = [data[i], data[i + 1], data[i + 2]];
    if (Math.abs(r - r0) + Math.abs(g - g0) + Math.abs(b - b0) > 24) inked++;
    const key = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
    colours.set(key, (colours.get(key) ?? 0) + 1);
  }
  const pixels = data.length / 4;
  return { inked: inked / pixels, colours: [...colours.values()].filter((n) => n >= pixels / 2000).length };
}

describe('the product dashboard (MCP App) in a host of our own', () => {
  it('renders in a sandboxed iframe, fetches through the host and shows the tools’ numbers', async () => {
    expect(existsSync(CHROMIUM), 'Debian chromium is required (apt-get install chromium)').toBe(true);
    const read = await client.readResource({ uri: DASHBOARD_URI });
    const [template] = read.contents;
    expect(template?.mimeType).toBe(UI_MIME_TYPE);
    const html = template && 'text' in template ? template.text : '';

    // The product with the most tests, so every panel has something to show.
    const products = (await client.callTool({ name: 'list_products', arguments: { per_page: 100 } }))
      .structuredContent as { products: Array<{ id: number; name: string; test_count: number }> };
    const product = [...products.products].sort((a, b) => b.test_count - a.test_count)[0];
    if (!product) throw new Error('the sandbox has no products');
    const report = (
      await client.callTool({
        name: 'generate_quality_report',
        arguments: { product_ids: [product.id], max_tests: 100 },
      })
    ).structuredContent as {
      summary: {
        total_tests: number;
        total_bugs: number;
        bugs_by_severity: Record<string, number>;
        bugs_by_status: Record<string, number>;
      };
    };
    const features = (
      await client.callTool({
        name: 'list_features',
        arguments: { product_id: product.id, sort_by: 'bug_count', sort_order: 'desc', per_page: 8 },
      })
    ).structuredContent as { features: Array<{ title: string }> };

    const host = await startAppHost(
      {
        html,
        theme: 'light',
        toolCall: { name: 'generate_quality_report', arguments: { product_ids: [product.id] } },
      },
      client,
    );
    const browser = launchChromium(path.join(dir, 'profile'), { width: 1100, height: 1250 });
    try {
      await browser.send('Page.enable');
      await browser.send('Emulation.setDeviceMetricsOverride', {
        width: 1100,
        height: 1250,
        deviceScaleFactor: 1,
        mobile: false,
      });
      await browser.send('Page.navigate', { url: host.url });
      const facts = await until(
        () => viewFacts(browser),
        (f) => f.ready || f.error !== '',
      );
      expect(facts.error).toBe('');
      expect(facts.title).toBe(product.name);
      expect(facts.metrics['tests']).toBe(report.summary.total_tests.toLocaleString('en-US'));
      expect(facts.metrics['bugs']).toBe(report.summary.total_bugs.toLocaleString('en-US'));
      expect(facts.metrics['critical-bugs']).toBe(String(report.summary.bugs_by_severity['critical']));
      expect(facts.severity).toEqual(report.summary.bugs_by_severity);
      expect(facts.status).toEqual({
        accepted: report.summary.bugs_by_status['active_accepted'],
        'auto-accepted': report.summary.bugs_by_status['auto_accepted'],
        rejected: report.summary.bugs_by_status['rejected'],
        open: report.summary.bugs_by_status['open'],
      });
      expect(facts.features).toEqual(features.features.map((f) => f.title));
      // Every figure came through the host: the view has no network of its own (CSP connect-src 'none').
      expect(host.relayed.map((c) => c.name)).toEqual(
        expect.arrayContaining(['list_products', 'generate_quality_report', 'list_features']),
      );
      expect(host.relayed.find((c) => c.name === 'generate_quality_report')?.arguments).toMatchObject({
        product_ids: [product.id],
      });

      // Let the iframe take its content's height (size-changed) before the picture.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const frame = await browser.send<{ result: { value: number } }>('Runtime.evaluate', {
        expression: "document.getElementById('view').offsetHeight",
        returnByValue: true,
      });
      const shot = await browser.send<{ data: string }>('Page.captureScreenshot', {
        format: 'png',
        clip: { x: 0, y: 0, width: 1100, height: Math.min(frame.result.value, 1250), scale: 1 },
      });
      const png = Buffer.from(shot.data, 'base64');
      const facts2 = drawn(png);
      // Cards, bars and a chart: a blank or failed view is one or two flat colours.
      expect(facts2.inked).toBeGreaterThan(0.2);
      expect(facts2.colours).toBeGreaterThan(6);
      writeFileSync(SCREENSHOT, png);

      // The host switches to dark (ui/notifications/host-context-changed): the view follows.
      await browser.send('Runtime.evaluate', {
        expression: `document.getElementById('view').contentWindow.postMessage({ jsonrpc: '2.0', method: 'ui/notifications/host-context-changed', params: { theme: 'dark' } }, '*')`,
      });
      const background = await until(
        () => frameEval(browser, 'getComputedStyle(document.body).backgroundColor'),
        (colour) => colour !== 'rgb(255, 255, 255)',
      );
      const [r = 255, g = 255, b = 255] = (background.match(/\d+/g) ?? []).map(Number);
      expect(r + g + b).toBeLessThan(150);
      const dark = await browser.send<{ data: string }>('Page.captureScreenshot', {
        format: 'png',
        clip: { x: 0, y: 0, width: 1100, height: Math.min(frame.result.value, 1250), scale: 1 },
      });
      expect(drawn(Buffer.from(dark.data, 'base64')).colours).toBeGreaterThan(6);
      writeFileSync(SCREENSHOT.replace('.png', '-dark.png'), Buffer.from(dark.data, 'base64'));
    } finally {
      await browser.close();
      await host.close();
    }
  }, 120_000);
});

describe('tool results for hosts with and without MCP Apps', () => {
  it('are the same text, image and link content for a plain client as for an apps host', async () => {
    const plain = new Client({ name: 'plain-client', version: '1.0.0' });
    await plain.connect(new StreamableHTTPClientTransport(new URL(http.url)));
    try {
      const calls = [
        {
          name: 'generate_quality_report',
          arguments: { product_ids: [stack.truth.products[0]?.id], charts: true },
        },
        { name: 'get_product_summary', arguments: { product_id: stack.truth.products[0]?.id } },
      ];
      for (const call of calls) {
        const forPlain = await plain.callTool(call);
        const forApps = await client.callTool(call);
        expect(forPlain.isError, call.name).toBeFalsy();
        expect(forPlain._meta, call.name).toBeUndefined();
        // The fences around untrusted text carry a random id per answer; everything else is equal.
        const unfenced = (result: typeof forPlain) =>
          JSON.stringify(result).replace(/untrusted-data-[0-9a-f-]+/g, 'untrusted-data');
        expect(unfenced(forPlain), call.name).toBe(unfenced(forApps));
        const types = (forPlain.content as Array<{ type: string }>).map((c) => c.type);
        expect(types[0]).toBe('text');
        expect(types).toContain('resource_link');
      }
    } finally {
      await plain.close();
    }
  }, 60_000);
});
