import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findRefs, inlineRefs, splitTypeUnions, toToolJsonSchema } from './json-schema.js';

describe('tool JSON Schemas', () => {
  it('inlines references to definitions, keeping sibling keys', () => {
    const inlined = inlineRefs({
      type: 'object',
      properties: { a: { $ref: '#/$defs/Id', description: 'the a' }, definitions: { type: 'string' } },
      $defs: { Id: { type: 'integer', minimum: 1 } },
    });
    expect(inlined).toEqual({
      type: 'object',
      properties: {
        a: { type: 'integer', minimum: 1, description: 'the a' },
        definitions: { type: 'string' },
      },
    });
    expect(findRefs(inlined)).toEqual([]);
  });

  it('refuses a recursive schema instead of publishing a $ref', () => {
    expect(() =>
      inlineRefs({
        $ref: '#/$defs/Node',
        $defs: { Node: { properties: { next: { $ref: '#/$defs/Node' } } } },
      }),
    ).toThrow(/Recursive/);
  });

  it('converts a schema whose parts are reused without leaving references', () => {
    const id = z.number().int().min(1).describe('An id.');
    const schema = z.object({ a: id, b: id, nested: z.object({ c: id }) });
    const json = toToolJsonSchema(schema, 'output');
    expect(findRefs(json)).toEqual([]);
    expect(json).toMatchObject({ properties: { b: { type: 'integer', minimum: 1, description: 'An id.' } } });
  });
});

describe('type unions', () => {
  const union = (node: unknown): boolean =>
    Array.isArray(node)
      ? node.some(union)
      : typeof node === 'object' &&
        node !== null &&
        Object.entries(node).some(([k, v]) => (k === 'type' && Array.isArray(v)) || union(v));

  it('publishes nullable fields as anyOf branches of one type each, constraints in their branch', () => {
    const schema = z.object({
      when: z.string().max(30).nullable().describe('When it ended.'),
      rate: z.number().min(0).max(1).nullable(),
      mode: z.enum(['a', 'b']).nullable(),
    });
    const json = toToolJsonSchema(schema, 'output');
    expect(union(json)).toBe(false);
    const props = json.properties as Record<string, JsonSchemaNode>;
    expect(props.when).toEqual({
      description: 'When it ended.',
      anyOf: [{ type: 'string', maxLength: 30 }, { type: 'null' }],
    });
    expect(props.rate?.anyOf).toEqual([{ type: 'number', minimum: 0, maximum: 1 }, { type: 'null' }]);
    expect(JSON.stringify(props.mode)).not.toContain('"type":["');
  });

  it('keeps the meaning: values valid before are valid after, and invalid ones stay invalid', () => {
    const split = splitTypeUnions({ type: ['string', 'null'], enum: ['x', null], description: 'd' });
    expect(split).toEqual({
      description: 'd',
      anyOf: [
        { type: 'string', enum: ['x'] },
        { type: 'null', enum: [null] },
      ],
    });
    expect(splitTypeUnions({ type: ['integer'], minimum: 1 })).toEqual({ type: 'integer', minimum: 1 });
  });

  it('leaves no type array in any published tool schema', async () => {
    const { TOOLS } = await import('./tools/index.js');
    for (const tool of TOOLS) {
      expect(union(toToolJsonSchema(tool.inputSchema, 'input')), `${tool.name} input`).toBe(false);
      expect(union(toToolJsonSchema(tool.outputSchema, 'output')), `${tool.name} output`).toBe(false);
    }
  });
});

type JsonSchemaNode = { anyOf?: unknown; [key: string]: unknown };

describe('lean published schemas', () => {
  it('drops safe-integer bounds and output prose below the top-level fields, keeps real bounds', () => {
    const output = toToolJsonSchema(
      z.object({
        count: z.number().int().describe('How many.'),
        page: z.number().int().min(1).describe('Page.'),
        items: z.array(z.object({ id: z.number().int().describe('Id of one item.') })).describe('The items.'),
        description: z.string().describe('A field called description.'),
      }),
      'output',
    );
    const text = JSON.stringify(output);
    expect(text).not.toContain(String(Number.MAX_SAFE_INTEGER));
    expect(output.properties).toMatchObject({
      count: { type: 'integer', description: 'How many.' },
      page: { type: 'integer', minimum: 1, description: 'Page.' },
      items: { description: 'The items.', items: { properties: { id: { type: 'integer' } } } },
      description: { type: 'string', description: 'A field called description.' },
    });
    expect(text).not.toContain('Id of one item.');
  });

  it('flattens unions of unions and keeps every input description', () => {
    const input = toToolJsonSchema(
      z.object({
        ids: z
          .union([z.union([z.number(), z.string()]), z.array(z.number().int())])
          .describe('Ids, e.g. [1, 2].'),
        nested: z.object({ a: z.string().describe('Kept: inputs keep every description.') }),
      }),
      'input',
    );
    expect(input.properties).toMatchObject({
      ids: {
        description: 'Ids, e.g. [1, 2].',
        anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'array', items: { type: 'integer' } }],
      },
    });
    expect(JSON.stringify(input)).toContain('Kept: inputs keep every description.');
  });
});
