import { describe, expect, it } from 'vitest';
import { describeTool } from '../server.js';
import { TOOLS } from './index.js';

/** Registry rules every tool must follow (names, annotations, documented inputs, working examples). */

function undocumented(schema: unknown, path = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[] };
  const out: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (typeof (child as { description?: unknown }).description !== 'string') out.push(`${path}${key}`);
    out.push(...undocumented(child, `${path}${key}.`));
  }
  if (node.items) out.push(...undocumented(node.items, `${path}[].`));
  for (const option of node.anyOf ?? []) out.push(...undocumented(option, path));
  return out;
}

describe('tool registry', () => {
  it('has 14 uniquely named, snake_case, verb-first tools', () => {
    const names = TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(14);
    for (const name of names) expect(name).toMatch(/^(list|get|search|sync)(_[a-z]+)*$/);
  });

  it('declares every hint, and no tool is both read-only and destructive', () => {
    for (const tool of TOOLS) {
      const { readOnlyHint, destructiveHint, openWorldHint } = tool.annotations;
      expect([readOnlyHint, destructiveHint, openWorldHint].every((h) => typeof h === 'boolean'), tool.name).toBe(true);
      expect(readOnlyHint && destructiveHint, tool.name).toBe(false);
      expect(destructiveHint, tool.name).toBe(false);
    }
  });

  it('describes every input field', () => {
    for (const tool of TOOLS) expect(undocumented(describeTool(tool).inputSchema), tool.name).toEqual([]);
  });

  it('gives numbers in inputs real bounds', () => {
    for (const tool of TOOLS) {
      const properties = (describeTool(tool).inputSchema.properties ?? {}) as Record<string, { type?: unknown; minimum?: number; maximum?: number }>;
      for (const [key, field] of Object.entries(properties)) {
        if (field.type === 'integer' || field.type === 'number') {
          expect(field.minimum, `${tool.name}.${key}`).toBeDefined();
          expect(field.maximum, `${tool.name}.${key}`).toBeLessThan(Number.MAX_SAFE_INTEGER);
        }
      }
    }
  });

  it('has examples that parse with the tool input schema', () => {
    for (const tool of TOOLS) {
      for (const example of tool.examples) {
        const parsed = tool.inputSchema.safeParse(example.arguments);
        expect(parsed.success, `${tool.name}: ${example.description}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      }
    }
  });
});
