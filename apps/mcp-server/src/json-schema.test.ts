import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findRefs, inlineRefs, toToolJsonSchema } from './json-schema.js';

describe('tool JSON Schemas', () => {
  it('inlines references to definitions, keeping sibling keys', () => {
    const inlined = inlineRefs({
      type: 'object',
      properties: { a: { $ref: '#/$defs/Id', description: 'the a' }, definitions: { type: 'string' } },
      $defs: { Id: { type: 'integer', minimum: 1 } },
    });
    expect(inlined).toEqual({
      type: 'object',
      properties: { a: { type: 'integer', minimum: 1, description: 'the a' }, definitions: { type: 'string' } },
    });
    expect(findRefs(inlined)).toEqual([]);
  });

  it('refuses a recursive schema instead of publishing a $ref', () => {
    expect(() => inlineRefs({ $ref: '#/$defs/Node', $defs: { Node: { properties: { next: { $ref: '#/$defs/Node' } } } } })).toThrow(/Recursive/);
  });

  it('converts a schema whose parts are reused without leaving references', () => {
    const id = z.number().int().min(1).describe('An id.');
    const schema = z.object({ a: id, b: id, nested: z.object({ c: id }) });
    const json = toToolJsonSchema(schema, 'output');
    expect(findRefs(json)).toEqual([]);
    expect(json).toMatchObject({ properties: { b: { type: 'integer', minimum: 1, description: 'An id.' } } });
  });
});
