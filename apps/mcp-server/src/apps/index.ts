import { DASHBOARD_HTML } from './dashboard/dashboard-html.generated.js';

/**
 * MCP Apps (SEP-1865, extension `io.modelcontextprotocol/ui`, spec 2026-01-26): the product dashboard
 * as a `ui://` resource, and the `_meta.ui` that points the tools feeding it at it. Written against the
 * spec rather than with @modelcontextprotocol/ext-apps, whose server helpers need the v2 SDK (ADR 0038).
 * A host without apps ignores all of it: tool results are the same text and image content for every
 * client.
 */

export const UI_EXTENSION_ID = 'io.modelcontextprotocol/ui';
export const UI_MIME_TYPE = 'text/html;profile=mcp-app';
export const DASHBOARD_URI = 'ui://testio-mcp/product-dashboard';

/** The tools whose results the dashboard shows: a host that renders apps opens it beside them. */
export const DASHBOARD_TOOLS: readonly string[] = [
  'generate_quality_report',
  'get_product_quality_report',
  'get_product_summary',
];

/** `capabilities.extensions` of the server (SEP-2133), saying it serves MCP App templates. */
export const APPS_CAPABILITY: Record<string, { mimeTypes: string[] }> = {
  [UI_EXTENSION_ID]: { mimeTypes: [UI_MIME_TYPE] },
};

/**
 * The resource's `_meta.ui`: no outside origins at all (the page is self-contained and reaches the
 * server only through the host), and a border, as the cards are drawn on the host's background.
 */
const RESOURCE_UI_META = { ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } };

export interface UiResource {
  readonly uri: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly mimeType: string;
  readonly _meta: typeof RESOURCE_UI_META;
  read(): string;
}

export const DASHBOARD_RESOURCE: UiResource = {
  uri: DASHBOARD_URI,
  name: 'product-dashboard',
  title: 'TestIO product dashboard',
  description:
    'Interactive dashboard of one product (MCP App): quality trend, bugs by severity and review status, the features with the most bugs, recent critical bugs, with a product selector and a period picker. Hosts that support MCP Apps show it beside generate_quality_report and get_product_summary.',
  mimeType: UI_MIME_TYPE,
  _meta: RESOURCE_UI_META,
  // Built from dashboard/view.ts and its CSS by `npm run build:apps`.
  read: () => DASHBOARD_HTML,
};

export const UI_RESOURCES: readonly UiResource[] = [DASHBOARD_RESOURCE];

/**
 * The tool's `_meta`: `ui.resourceUri` (the spec's form) and the flat `ui/resourceUri` that hosts built
 * on earlier drafts still read (deprecated, removed before the extension's GA).
 */
export function toolUiMeta(toolName: string): Record<string, unknown> | undefined {
  if (!DASHBOARD_TOOLS.includes(toolName)) return undefined;
  return { ui: { resourceUri: DASHBOARD_URI }, 'ui/resourceUri': DASHBOARD_URI };
}
