import { readFileSync } from 'node:fs';
import type { Services } from '@testio-mcp/services';
import { afterEach, describe, expect, it } from 'vitest';
import { buildDashboardModule, DASHBOARD_HTML_PATH } from '../../scripts/dashboard-html.js';
import { connectInMemory, memoryLogger } from '../__fixtures__/harness.js';
import { DASHBOARD_TOOLS, DASHBOARD_URI, UI_EXTENSION_ID, UI_MIME_TYPE } from './index.js';

/**
 * The server side of MCP Apps over the wire (SEP-1865): the capability, the template as a resource,
 * the tools that point at it. What the view does with it is dashboard.e2e.test.ts.
 */

// Nothing here reaches the services: any call of one fails the test.
const services = new Proxy({} as Services, {
  get: (_target, key) => () => Promise.reject(new Error(`${String(key)} called`)),
});

let session: Awaited<ReturnType<typeof connectInMemory>> | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

async function connect() {
  session = await connectInMemory({ services, logger: memoryLogger().logger });
  return session.client;
}

describe('MCP Apps on the server', () => {
  it('advertises the io.modelcontextprotocol/ui extension with the HTML profile', async () => {
    const client = await connect();
    expect(client.getServerCapabilities()?.extensions).toEqual({
      [UI_EXTENSION_ID]: { mimeTypes: [UI_MIME_TYPE] },
    });
  });

  it('lists the dashboard template and reads it as one self-contained HTML document', async () => {
    const client = await connect();
    const { resources } = await client.listResources();
    expect(resources.find((r) => r.uri === DASHBOARD_URI)).toMatchObject({
      mimeType: UI_MIME_TYPE,
      _meta: { ui: { prefersBorder: true, csp: { connectDomains: [], resourceDomains: [] } } },
    });
    const { contents } = await client.readResource({ uri: DASHBOARD_URI });
    expect(contents).toHaveLength(1);
    const [content] = contents;
    expect(content).toMatchObject({ uri: DASHBOARD_URI, mimeType: UI_MIME_TYPE, _meta: { ui: {} } });
    const html = content && 'text' in content ? content.text : '';
    expect(html).toMatch(/^<!doctype html>/);
    // No CDN and nothing fetched: the host's CSP lets the view load inline script and style only.
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain('ui/initialize');
  });

  it('points the tools that feed the dashboard at it, in the spec’s form and the older flat key', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    const pointing = tools.filter((t) => t._meta?.['ui']).map((t) => t.name);
    expect(pointing.sort()).toEqual(
      DASHBOARD_TOOLS.filter((name) => tools.some((t) => t.name === name)).sort(),
    );
    expect(pointing).toContain('generate_quality_report');
    for (const tool of tools.filter((t) => pointing.includes(t.name))) {
      expect(tool._meta).toEqual({ ui: { resourceUri: DASHBOARD_URI }, 'ui/resourceUri': DASHBOARD_URI });
    }
  });

  it('serves the HTML that view.ts and dashboard.css build to (run npm run build:apps when this fails)', async () => {
    expect(readFileSync(DASHBOARD_HTML_PATH, 'utf8')).toBe(await buildDashboardModule());
  });
});
