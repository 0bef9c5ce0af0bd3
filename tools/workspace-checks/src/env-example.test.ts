import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedSettingsSchema } from '@testio-mcp/domain';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * .env.example documents every environment variable the product reads, with its default and a line of
 * explanation: the keys of the shared settings schema (its `.shape`), of each app's settings schema, and
 * the few the `testio-mcp` launcher (bin/, apps/cli) reads itself. Libraries may not import apps (the module
 * boundaries forbid it, tools included), so the apps' schemas are read from their source with the
 * TypeScript parser; the same parser must find exactly the shared schema's `.shape` keys.
 */

const ROOT = path.resolve(import.meta.dirname, '../../..');

interface SchemaSource {
  file: string;
  name: string;
}

const APP_SCHEMAS: SchemaSource[] = [
  { file: 'apps/mcp-server/src/config.ts', name: 'mcpServerSettingsSchema' },
  { file: 'apps/rest-api/src/config.ts', name: 'restApiSettingsSchema' },
  { file: 'apps/sync-worker/src/config.ts', name: 'syncWorkerSettingsSchema' },
];

/** Keys of a settings schema declared as `const NAME = z.object({...})` or `base.extend({...})`, with the
 * default of each key whose `.default(...)` is a literal (undefined: none or not a literal). */
function schemaFromSource({ file, name }: SchemaSource): {
  keys: string[];
  defaults: Map<string, string>;
  base?: string;
} {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  let found: { keys: string[]; defaults: Map<string, string>; base?: string } | undefined;
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === name &&
      node.initializer
    ) {
      const call = node.initializer;
      if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression))
        throw new Error(`${file}: ${name} is not z.object({...}) or X.extend({...})`);
      const literal = call.arguments[0];
      if (!literal || !ts.isObjectLiteralExpression(literal))
        throw new Error(`${file}: ${name} has no object literal`);
      const callee = call.expression;
      const base =
        callee.name.text === 'extend' && ts.isIdentifier(callee.expression)
          ? callee.expression.text
          : undefined;
      const keys: string[] = [];
      const defaults = new Map<string, string>();
      for (const property of literal.properties) {
        if (
          !ts.isPropertyAssignment(property) ||
          !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
        ) {
          throw new Error(`${file}: ${name} has a property this test cannot read: ${property.getText()}`);
        }
        keys.push(property.name.text);
        const value = literalDefault(property.initializer);
        if (value !== undefined) defaults.set(property.name.text, value);
      }
      found = { keys, defaults, base };
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (!found) throw new Error(`${file}: no ${name}`);
  return found;
}

/** `x.default('a')` / `.default(3)` / `.default(false)` anywhere in a call chain -> its text value. */
function literalDefault(node: ts.Node): string | undefined {
  let result: string | undefined;
  const visit = (n: ts.Node): void => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'default'
    ) {
      const arg = n.arguments[0];
      if (arg && (ts.isStringLiteral(arg) || ts.isNumericLiteral(arg))) result = arg.text;
      else if (arg?.kind === ts.SyntaxKind.TrueKeyword) result = 'true';
      else if (arg?.kind === ts.SyntaxKind.FalseKeyword) result = 'false';
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
  return result;
}

const SHARED_KEYS = Object.keys(sharedSettingsSchema.shape);
const SHARED_DEFAULTS = sharedSettingsSchema.parse({}) as Record<string, unknown>;

/** Every settings schema: name -> its keys and the documented value each key must show. */
function allSchemas(): Map<string, { keys: string[]; expected: Map<string, string | undefined> }> {
  const schemas = new Map<string, { keys: string[]; expected: Map<string, string | undefined> }>();
  const sharedExpected = new Map(
    SHARED_KEYS.map((k) => [k, SHARED_DEFAULTS[k] === undefined ? '' : String(SHARED_DEFAULTS[k])]),
  );
  schemas.set('libs/domain sharedSettingsSchema', { keys: SHARED_KEYS, expected: sharedExpected });
  for (const app of APP_SCHEMAS) {
    const parsed = schemaFromSource(app);
    const expected = new Map<string, string | undefined>();
    // A key without a literal default is optional or computed: its documented value is not checked here.
    for (const key of parsed.keys) expected.set(key, parsed.defaults.get(key));
    if (parsed.base && parsed.base !== 'sharedSettingsSchema') {
      throw new Error(`${app.file}: ${app.name} extends ${parsed.base}, which this test does not know`);
    }
    if (parsed.base) {
      for (const key of SHARED_KEYS) if (!expected.has(key)) expected.set(key, sharedExpected.get(key));
    }
    schemas.set(`${app.file} ${app.name}`, { keys: [...expected.keys()], expected });
  }
  return schemas;
}

const SCHEMAS = allSchemas();

/** Variables of the system, not of this product, that the launcher may pass on. */
const SYSTEM = new Set(['HOME', 'PATH', 'USERPROFILE', 'NODE_ENV']);

interface Entry {
  name: string;
  value: string;
  explanation: string;
  line: number;
}

/**
 * `NAME=value` or `# NAME=value` (commented out: the default applies) after `# explanation` lines; the
 * variables of one group (`_WARNING` and `_CRITICAL`) share the explanation above them.
 */
function readEnvExample(): Entry[] {
  const lines = readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n');
  const entries: Entry[] = [];
  let comment: string[] = [];
  let afterVariable = false;
  lines.forEach((text, index) => {
    const variable = /^(?:#\s?)?([A-Z][A-Z0-9_]+)=(.*)$/.exec(text);
    if (variable) {
      entries.push({
        name: variable[1] ?? '',
        value: variable[2] ?? '',
        explanation: comment.join(' '),
        line: index + 1,
      });
      afterVariable = true;
    } else if (text.startsWith('#') && !/^#\s*-+$/.test(text)) {
      if (afterVariable) comment = [];
      comment.push(text.replace(/^#\s?/, ''));
      afterVariable = false;
    } else {
      comment = [];
      afterVariable = false;
    }
  });
  return entries;
}

/** The launcher's sources: the bin/ shim and the CLI app (apps/cli), tests left out. */
function launcherSources(): string[] {
  const bin = readdirSync(path.join(ROOT, 'bin'))
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => path.join(ROOT, 'bin', f));
  const cli = readdirSync(path.join(ROOT, 'apps/cli/src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(ROOT, 'apps/cli/src', f));
  return [...bin, ...cli];
}

/** Variables the launcher (bin/*.mjs, apps/cli) reads from the environment by name, outside the schemas. */
function launcherVariables(): Set<string> {
  const names = new Set<string>();
  for (const file of launcherSources()) {
    const source = readFileSync(file, 'utf8');
    for (const pattern of [
      /\benv\.([A-Z][A-Z0-9_]+)\b/g,
      /\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g,
      /\benv:\s*'([A-Z][A-Z0-9_]+)'/g,
    ]) {
      for (const [, name = ''] of source.matchAll(pattern)) if (!SYSTEM.has(name)) names.add(name);
    }
  }
  return names;
}

const entries = readEnvExample();
const documented = new Map(entries.map((e) => [e.name, e]));

describe('.env.example', () => {
  it('reads settings schemas from source as their .shape has them', () => {
    const parsed = schemaFromSource({ file: 'libs/domain/src/settings.ts', name: 'sharedSettingsSchema' });
    expect(parsed.keys).toEqual(SHARED_KEYS);
    for (const [key, value] of parsed.defaults)
      expect(`${key}=${value}`).toBe(`${key}=${String(SHARED_DEFAULTS[key])}`);
    expect(SCHEMAS.get('apps/rest-api/src/config.ts restApiSettingsSchema')?.keys).toContain(
      'TESTIO_API_KEYS',
    );
  });

  it.each([...SCHEMAS.keys()])('lists every variable of %s', (name) => {
    const missing = (SCHEMAS.get(name)?.keys ?? []).filter((key) => !documented.has(key));
    expect(missing, 'add these to .env.example with their default and a line of explanation').toEqual([]);
  });

  it('lists every variable the launcher (bin/, apps/cli) reads', () => {
    const missing = [...launcherVariables()].filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
  });

  it('lists each variable once, with an explanation, and only variables something reads', () => {
    const read = new Set([...[...SCHEMAS.values()].flatMap((s) => s.keys), ...launcherVariables()]);
    expect(
      entries.filter((e) => entries.filter((o) => o.name === e.name).length > 1).map((e) => e.name),
    ).toEqual([]);
    expect(entries.filter((e) => e.explanation.length < 15).map((e) => `${e.name} (line ${e.line})`)).toEqual(
      [],
    );
    expect(entries.filter((e) => !read.has(e.name)).map((e) => e.name)).toEqual([]);
  });

  it("gives each schema variable its schema's default (empty where there is none)", () => {
    const wrong: string[] = [];
    for (const [name, schema] of SCHEMAS) {
      for (const [key, expected] of schema.expected) {
        const actual = documented.get(key)?.value;
        if (expected !== undefined && actual !== undefined && actual !== expected) {
          wrong.push(`${key}: .env.example says '${actual}', ${name} '${expected}'`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('sets nothing but the token when copied to .env as it is', () => {
    const lines = readFileSync(path.join(ROOT, '.env.example'), 'utf8').split('\n');
    const active = entries.filter((e) => !lines[e.line - 1]?.startsWith('#'));
    expect(active.map((e) => `${e.name}=${e.value}`)).toEqual(['TESTIO_CUSTOMER_API_TOKEN=']);
  });
});
