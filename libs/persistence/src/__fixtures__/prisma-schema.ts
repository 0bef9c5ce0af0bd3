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

/** The keys, indexes and relations of one model, as schema.prisma declares them (column names). */
export interface SchemaModelKeys {
  readonly name: string;
  readonly table: string;
  /** `@id` / `@@id` columns. */
  readonly primaryKey: string[];
  /** Columns of `@default(autoincrement())` fields. */
  readonly autoincrement: string[];
  /** `@unique` / `@@unique` column lists. */
  readonly unique: string[][];
  /** `@@index` column lists. */
  readonly indexes: string[][];
  /** `@relation(fields: [...], references: [...], onDelete: ...)` of the model's relation fields. */
  readonly relations: {
    columns: string[];
    table: string;
    references: string[];
    onDelete: string | undefined;
  }[];
}

/**
 * Keys, indexes and relations of every model (for the PostgreSQL schema test), with field names resolved to
 * column names and related model names to table names.
 */
export function readPrismaSchemaKeys(path: string = SCHEMA_PATH): SchemaModelKeys[] {
  const text = readFileSync(path, 'utf8').replace(/\/\/.*$/gm, '');
  const models = parsePrismaSchema(text);
  const tableOf = new Map(models.map((m) => [m.name, m.table]));
  const columnsOf = new Map(models.map((m) => [m.name, new Map(m.fields.map((f) => [f.name, f.column]))]));
  const list = (model: string, names: string): string[] =>
    names
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean)
      .map((n) => columnsOf.get(model)?.get(n) ?? n);
  const result: SchemaModelKeys[] = [];
  for (const match of text.matchAll(/^\s*model\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const name = match[1] ?? '';
    const body = match[2] ?? '';
    const keys: SchemaModelKeys = {
      name,
      table: tableOf.get(name) ?? name,
      primaryKey: [],
      autoincrement: [],
      unique: [],
      indexes: [],
      relations: [],
    };
    for (const rawLine of body.split('\n')) {
      const line = rawLine.trim();
      if (line === '') continue;
      const block = /^@@(id|unique|index)\(\s*\[([^\]]*)\]/.exec(line);
      if (block) {
        const columns = list(name, block[2] ?? '');
        if (block[1] === 'id') keys.primaryKey.push(...columns);
        else if (block[1] === 'unique') keys.unique.push(columns);
        else keys.indexes.push(columns);
        continue;
      }
      if (line.startsWith('@@')) continue;
      const field = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!field) continue;
      const [, fieldName = '', type = '', , , rest = ''] = field;
      const column = columnsOf.get(name)?.get(fieldName) ?? fieldName;
      if (/@id\b/.test(rest)) keys.primaryKey.push(column);
      if (/@unique\b/.test(rest)) keys.unique.push([column]);
      if (/@default\(autoincrement\(\)\)/.test(rest)) keys.autoincrement.push(column);
      const relation =
        /@relation\(\s*fields:\s*\[([^\]]*)\],\s*references:\s*\[([^\]]*)\](?:,\s*onDelete:\s*(\w+))?/.exec(
          rest,
        );
      if (relation) {
        keys.relations.push({
          columns: list(name, relation[1] ?? ''),
          table: tableOf.get(type) ?? type,
          references: list(type, relation[2] ?? ''),
          onDelete: relation[3],
        });
      }
    }
    result.push(keys);
  }
  return result;
}
