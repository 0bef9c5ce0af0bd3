/**
 * A small structural validator for the subset of OpenAPI 3.0 schemas tsoa generates: `$ref`, `type`
 * (object, array, string, number, integer, boolean), `nullable`, `enum`, `properties`, `required`,
 * `additionalProperties` (false or a schema), `items`, `anyOf`/`oneOf`/`allOf`. Enough to prove every
 * response body matches the generated spec exactly (tsoa marks every DTO `additionalProperties: false`,
 * so an extra field fails too). No dependency: ajv is not a devDependency of this workspace.
 */

type Schema = Record<string, unknown>;
type Spec = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
  components: { schemas: Record<string, Schema> };
};

export interface SpecValidator {
  /** Problems of `body` against the response schema of `method path status`; empty when valid. */
  validateResponse(path: string, method: string, status: number, body: unknown): string[];
  /** Problems of `value` against a named component schema. */
  validateComponent(name: string, value: unknown): string[];
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function createSpecValidator(specValue: unknown): SpecValidator {
  const spec = specValue as Spec;

  function resolve(schema: Schema): Schema {
    let current = schema;
    const seen = new Set<string>();
    while (typeof current['$ref'] === 'string') {
      const ref = current['$ref'];
      if (seen.has(ref)) throw new Error(`circular $ref ${ref}`);
      seen.add(ref);
      const name = ref.replace('#/components/schemas/', '');
      const target = spec.components.schemas[name];
      if (!target) throw new Error(`unresolved $ref ${ref}`);
      // Sibling keys of a $ref (tsoa puts `nullable` and `description` there) apply as well.
      const { $ref: _ref, ...siblings } = current;
      current = { ...target, ...siblings };
    }
    return current;
  }

  function check(schemaIn: Schema, value: unknown, at: string, problems: string[]): void {
    const schema = resolve(schemaIn);
    if (value === null) {
      if (schema['nullable'] === true) return;
      if (
        Array.isArray(schema['anyOf']) &&
        (schema['anyOf'] as Schema[]).some((s) => resolve(s)['nullable'] === true)
      )
        return;
      if (Array.isArray(schema['enum']) && (schema['enum'] as unknown[]).includes(null)) return;
      problems.push(`${at}: null is not allowed`);
      return;
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      const options = schema[key];
      if (Array.isArray(options)) {
        const matches = (options as Schema[]).filter((option) => {
          const sub: string[] = [];
          check(option, value, at, sub);
          return sub.length === 0;
        });
        if (matches.length === 0) problems.push(`${at}: matches none of the ${key} alternatives`);
        if (key === 'oneOf' && matches.length > 1)
          problems.push(`${at}: matches more than one oneOf alternative`);
        return;
      }
    }
    if (Array.isArray(schema['allOf'])) {
      for (const part of schema['allOf'] as Schema[]) check(part, value, at, problems);
    }
    if (Array.isArray(schema['enum']) && !(schema['enum'] as unknown[]).includes(value)) {
      problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema['enum'])}`);
      return;
    }
    const type = schema['type'];
    const actual = typeOf(value);
    switch (type) {
      case undefined:
        break;
      case 'integer':
        if (actual !== 'number' || !Number.isInteger(value))
          problems.push(`${at}: expected an integer, got ${JSON.stringify(value)}`);
        return;
      case 'number':
        if (actual !== 'number' || !Number.isFinite(value))
          problems.push(`${at}: expected a number, got ${actual}`);
        return;
      case 'string':
      case 'boolean':
        if (actual !== type) problems.push(`${at}: expected ${type}, got ${actual}`);
        return;
      case 'array':
        if (actual !== 'array') {
          problems.push(`${at}: expected array, got ${actual}`);
          return;
        }
        (value as unknown[]).forEach((item, i) =>
          check((schema['items'] ?? {}) as Schema, item, `${at}[${i}]`, problems),
        );
        return;
      case 'object':
        break;
      default:
        problems.push(`${at}: unsupported schema type ${String(type)}`);
        return;
    }
    if (type === 'object' || schema['properties'] !== undefined) {
      if (actual !== 'object') {
        problems.push(`${at}: expected object, got ${actual}`);
        return;
      }
      const record = value as Record<string, unknown>;
      const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
      for (const name of (schema['required'] ?? []) as string[]) {
        if (!(name in record) || record[name] === undefined)
          problems.push(`${at}.${name}: required property missing`);
      }
      const additional = schema['additionalProperties'];
      for (const [name, item] of Object.entries(record)) {
        const propertySchema = properties[name];
        if (propertySchema) check(propertySchema, item, `${at}.${name}`, problems);
        else if (additional === false) problems.push(`${at}.${name}: property not in the schema`);
        else if (typeof additional === 'object' && additional !== null)
          check(additional as Schema, item, `${at}.${name}`, problems);
      }
    }
  }

  return {
    validateResponse(path, method, status, body) {
      const operation = spec.paths[path]?.[method.toLowerCase()];
      if (!operation) return [`no operation ${method.toUpperCase()} ${path} in the spec`];
      const response = operation.responses[String(status)];
      if (!response) return [`${method.toUpperCase()} ${path} documents no ${status} response`];
      const schema = response.content?.['application/json']?.schema;
      if (!schema) return [`${method.toUpperCase()} ${path} ${status} has no JSON schema`];
      const problems: string[] = [];
      check(schema, body, '$', problems);
      return problems;
    },
    validateComponent(name, value) {
      const schema = spec.components.schemas[name];
      if (!schema) return [`no component ${name}`];
      const problems: string[] = [];
      check(schema, value, '$', problems);
      return problems;
    },
  };
}
