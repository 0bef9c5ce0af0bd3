import { describe, expect, it } from 'vitest';
import { readToolsDoc, renderToolsDoc } from './docs.js';
import { TOOLS } from './tools/index.js';

describe('docs/tools.md', () => {
  it('is up to date with the registry (regenerate: npx tsx apps/mcp-server/scripts/render-tools-doc.ts)', () => {
    expect(readToolsDoc()).toBe(renderToolsDoc());
  });

  it('lists every tool with its parameters and an example', () => {
    const doc = renderToolsDoc();
    for (const tool of TOOLS) {
      expect(doc).toContain(`## \`${tool.name}\``);
      expect(doc).toContain(`"name": "${tool.name}"`);
    }
    expect(doc).toContain('| `test_ids` |');
  });
});
