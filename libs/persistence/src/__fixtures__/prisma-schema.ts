import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `prisma/schema.prisma` of this repository. */
export const SCHEMA_PATH = fileURLToPath(new URL('../../../../prisma/schema.prisma', import.meta.url));

export interface SchemaField {
  /** The Prisma field name. */
  readonly name: string;
  /** The column name (`@map`, else the field name). */
  readonly column: string;
  /** Scalar type (`Int`, `String`, `Boolean`, `DateTime`, `Json`, ...). */
  readonly type: string;
  readonly optional: boolean;
}

export interface SchemaModel {
  readonly name: string;
  /** The table name (`@@map`, else the model name). */
  readonly table: string;
  /** Scalar fields only; relation fields are left out. */
  readonly fields: SchemaField[];
}

const SCALARS = new Set([
  'Int',
  'BigInt',
  'String',
  'Boolean',
  'DateTime',
  'Json',
  'Float',
  'Decimal',
  'Bytes',
]);

/**
 * A small parser of the parts of `schema.prisma` the schema test needs: models, their scalar fields,
 * `@map` and `@@map`. (The `prisma-client` generator ships no DMMF and `@prisma/internals` is not a
 * dependency.) Enums are not used by this schema and are rejected so they are not silently skipped.
 */
export function parsePrismaSchema(text: string): SchemaModel[] {
  const source = text.replace(/\/\/.*$/gm, '');
  if (/^\s*enum\s+\w+\s*\{/m.test(source)) throw new Error('enums are not supported by parsePrismaSchema');
  const models: SchemaModel[] = [];
  for (const match of source.matchAll(/^\s*model\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const name = match[1] ?? '';
    const body = match[2] ?? '';
    let table = name;
    const fields: SchemaField[] = [];
    for (const rawLine of body.split('\n')) {
      const line = rawLine.trim();
      if (line === '') continue;
      if (line.startsWith('@@')) {
        const map = /^@@map\(\s*"([^"]+)"\s*\)/.exec(line);
        if (map?.[1]) table = map[1];
        continue;
      }
      const field = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!field) throw new Error(`cannot parse line of model ${name}: ${line}`);
      const [, fieldName = '', type = '', list, optional, rest = ''] = field;
      if (!SCALARS.has(type) || list) continue;
      const map = /@map\(\s*"([^"]+)"\s*\)/.exec(rest);
      fields.push({ name: fieldName, column: map?.[1] ?? fieldName, type, optional: optional === '?' });
    }
    models.push({ name, table, fields });
  }
  return models;
}

export function readPrismaSchema(path: string = SCHEMA_PATH): SchemaModel[] {
  return parsePrismaSchema(readFileSync(path, 'utf8'));
}
