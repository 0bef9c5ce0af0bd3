import type { Icon } from '@modelcontextprotocol/server';
import type { Toolset } from './tools/define-tool.js';

/**
 * The icons clients show beside the server, its tools and its prompts (MCP 2025-11-25): one line-icon
 * style, 24×24, teal stroke. Each tool gets its toolset's icon, so the set stays small and a person
 * sees the groups. Inline `data:` URIs rather than files served over HTTP: stdio has no URL to serve
 * them from, and URL-encoded SVG (not base64) keeps `tools/list` small; none of it is in what a model
 * reads (name, title, description, schema).
 */

const SHAPES = {
  server: "<circle cx='12' cy='12' r='9'/><path d='M8 12l3 3 5-6'/>",
  discovery: "<path d='M9 6h11M9 12h11M9 18h11M4 6h1M4 12h1M4 18h1'/>",
  summaries: "<path d='M6 3h9l3 3v15H6zM9 10h6M9 14h6M9 18h3'/>",
  analytics: "<path d='M4 20h16M7 16v-4M12 16V8M17 16v-7'/>",
  search: "<circle cx='11' cy='11' r='6'/><path d='M20 20l-4.5-4.5'/>",
  admin: "<path d='M20 12a8 8 0 0 1-14 5M4 12a8 8 0 0 1 14-5M18 3v4h-4M6 21v-4h4'/>",
  prompt: "<path d='M4 5h16v11H9l-5 4z'/>",
  triage: "<path d='M9 11l3 3 8-8'/><path d='M20 12v7a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h9'/>",
} as const satisfies Record<Toolset | 'server' | 'prompt', string>;

export type IconName = keyof typeof SHAPES;

/** The SVG document of one icon (also what the tests parse). */
export function iconSvg(name: IconName): string {
  return `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' stroke='#0f766e' stroke-width='2' stroke-linecap='round' stroke-linejoin='round'>${SHAPES[name]}</svg>`;
}

/**
 * A data URI (RFC 2397) that is also a valid RFC 3986 URI: every character outside the unreserved and
 * reserved sets is percent-encoded, spaces included (the 2025-11-25 and 2026-07-28 schemas declare
 * `src` with `format: uri`, and the conformance suite's wire check rejects a bare space).
 */
function dataUri(svg: string): string {
  return `data:image/svg+xml,${svg.replace(/[^A-Za-z0-9\-._~:/?@!$&'()*+,;=]/g, (c) => encodeURIComponent(c))}`;
}

const cache = new Map<IconName, Icon[]>();

/** The `icons` array of an entry: one scalable SVG. */
export function iconsFor(name: IconName): Icon[] {
  let icons = cache.get(name);
  if (!icons) {
    icons = [{ src: dataUri(iconSvg(name)), mimeType: 'image/svg+xml', sizes: ['any'] }];
    cache.set(name, icons);
  }
  return icons;
}
