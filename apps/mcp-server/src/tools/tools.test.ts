import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { toToolJsonSchema } from '../json-schema.js';
import { describeTool } from '../server.js';
import { TOOLS } from './index.js';

/** Registry rules every tool must follow (names, annotations, documented inputs and outputs, working examples). */

type SchemaNode = {
  properties?: Record<string, unknown>;
  items?: unknown;
  additionalProperties?: unknown;
  anyOf?: unknown[];
  oneOf?: unknown[];
  allOf?: unknown[];
};

/**
 * Paths of the fields (object properties, at any depth: inside nested objects, array items, record
 * values and nullable/union options) whose published JSON Schema has no non-empty description.
 */
function undocumented(schema: unknown, path = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  if (Array.isArray(schema)) return schema.flatMap((item) => undocumented(item, path));
  const node = schema as SchemaNode;
  const out: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const description = (child as { description?: unknown }).description;
    if (typeof description !== 'string' || description.trim() === '') out.push(`${path}${key}`);
    out.push(...undocumented(child, `${path}${key}.`));
  }
  if (node.items) out.push(...undocumented(node.items, `${path}[].`));
  if (typeof node.additionalProperties === 'object')
    out.push(...undocumented(node.additionalProperties, `${path}{}.`));
  for (const option of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])])
    out.push(...undocumented(option, path));
  return out;
}

describe('tool registry', () => {
  it('names every tool uniquely, snake_case and verb first', () => {
    const names = TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names)
      expect(name).toMatch(/^(list|get|search|sync|query|generate|accept|reject|mark|triage)(_[a-z]+)*$/);
  });

  it('declares every hint, and no tool is both read-only and destructive', () => {
    for (const tool of TOOLS) {
      const { readOnlyHint, destructiveHint, openWorldHint } = tool.annotations;
      expect(
        [readOnlyHint, destructiveHint, openWorldHint].every((h) => typeof h === 'boolean'),
        tool.name,
      ).toBe(true);
      expect(readOnlyHint && destructiveHint, tool.name).toBe(false);
      // Only the triage writes that cannot be undone from here are destructive (ADR 0032).
      expect(destructiveHint, tool.name).toBe(['reject_bug', 'triage_bugs'].includes(tool.name));
      if (tool.toolset === 'triage') expect(readOnlyHint, tool.name).toBe(false);
    }
  });

  it('describes every input field', () => {
    for (const tool of TOOLS) expect(undocumented(describeTool(tool).inputSchema), tool.name).toEqual([]);
  });

  // tools/list publishes only the top-level output descriptions (ADR 0014); the source keeps them all.
  it('describes every output field, nested ones included', () => {
    for (const tool of TOOLS) {
      const output = toToolJsonSchema(tool.outputSchema, 'output', { allDescriptions: true });
      expect(undocumented(output), tool.name).toEqual([]);
    }
  });

  it('finds a missing description at any depth of a published schema', () => {
    const schema = z.object({
      ok: z.string().describe('Documented.'),
      top: z.number(),
      nested: z.object({ inner: z.boolean() }).describe('Documented object.'),
      list: z.array(z.object({ item: z.string() })).describe('Documented list.'),
      maybe: z.object({ deep: z.string() }).nullable().describe('Documented nullable.'),
      record: z.record(z.string(), z.object({ value: z.number() })).describe('Documented record.'),
    });
    expect(undocumented(toToolJsonSchema(schema, 'output')).sort()).toEqual([
      'list.[].item',
      'maybe.deep',
      'nested.inner',
      'record.{}.value',
      'top',
    ]);
  });

  it('gives numbers in inputs real bounds', () => {
    for (const tool of TOOLS) {
      const properties = (describeTool(tool).inputSchema.properties ?? {}) as Record<
        string,
        { type?: unknown; minimum?: number; maximum?: number }
      >;
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
        expect(
          parsed.success,
          `${tool.name}: ${example.description}: ${JSON.stringify(parsed.error?.issues)}`,
        ).toBe(true);
      }
    }
  });
});
