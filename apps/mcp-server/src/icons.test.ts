import type { Services } from '@testio-mcp/services';
import { describe, expect, it } from 'vitest';
import { connectInMemory, memoryLogger } from './__fixtures__/harness.js';
import { PROMPTS } from './prompts/index.js';
import { TOOLS } from './tools/index.js';
import { selectTools } from './toolsets.js';

/** What a client shows beside the server, each tool and each prompt (MCP 2025-11-25 icons). */

// Listing tools, prompts and the server info reads no data.
const NO_SERVICES = {} as Services;

/** The SVG behind an icon's data URI, checked to be one small scalable document. */
function svgOf(icon: { src: string; mimeType?: string; sizes?: string[] }): string {
  expect(icon.mimeType).toBe('image/svg+xml');
  expect(icon.sizes).toEqual(['any']);
  expect(icon.src.startsWith('data:image/svg+xml,')).toBe(true);
  // RFC 3986 characters only (the schema's `format: uri`): a raw space or quote makes strict clients reject it.
  expect(icon.src).toMatch(/^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/);
  const svg = decodeURIComponent(icon.src.slice('data:image/svg+xml,'.length));
  expect(svg).toMatch(/^<svg xmlns='http:\/\/www\.w3\.org\/2000\/svg' viewBox='0 0 24 24'[^>]*>.*<\/svg>$/);
  expect(svg).not.toMatch(/<script|on\w+=|href=/i);
  expect(svg.length).toBeLessThan(400);
  return svg;
}

describe('icons and implementation info', () => {
  it('the server info carries a title, description, website and an icon', async () => {
    const { client, close } = await connectInMemory({ services: NO_SERVICES, logger: memoryLogger().logger });
    try {
      const info = client.getServerVersion();
      expect(info?.name).toBe('testio-mcp');
      expect(info?.title).toBe('TestIO MCP');
      expect(info?.description).toMatch(/TestIO crowd-testing account/);
      expect(info?.websiteUrl).toMatch(/^https:\/\//);
      expect(info?.icons).toHaveLength(1);
      svgOf(info?.icons?.[0] ?? { src: '' });
    } finally {
      await close();
    }
  });

  it('every tool has its toolset’s icon, every prompt the prompt icon', async () => {
    const { client, close } = await connectInMemory({
      services: NO_SERVICES,
      logger: memoryLogger().logger,
      tools: TOOLS,
    });
    try {
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(TOOLS.length);
      const byToolset = new Map<string, string>();
      for (const tool of tools) {
        expect(tool.icons, tool.name).toHaveLength(1);
        const svg = svgOf(tool.icons?.[0] ?? { src: '' });
        const toolset = TOOLS.find((t) => t.name === tool.name)?.toolset ?? '';
        // One icon per toolset: tools of a group look alike, groups differ.
        expect(byToolset.get(toolset) ?? svg, tool.name).toBe(svg);
        byToolset.set(toolset, svg);
      }
      expect(new Set(byToolset.values()).size).toBe(byToolset.size);

      const { prompts } = await client.listPrompts();
      expect(prompts).toHaveLength(PROMPTS.length);
      for (const prompt of prompts) {
        expect(prompt.icons, prompt.name).toHaveLength(1);
        svgOf(prompt.icons?.[0] ?? { src: '' });
      }
    } finally {
      await close();
    }
  });

  it('a read-only server keeps the icons on the tools it serves', async () => {
    const { client, close } = await connectInMemory({
      services: NO_SERVICES,
      logger: memoryLogger().logger,
      tools: selectTools({ TESTIO_READ_ONLY: true }),
    });
    try {
      const { tools } = await client.listTools();
      for (const tool of tools) expect(tool.icons, tool.name).toHaveLength(1);
    } finally {
      await close();
    }
  });
});
