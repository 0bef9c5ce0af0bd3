import { readdirSync, readFileSync } from 'node:fs';
import * as services from '@testio-mcp/services';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadOpenApiSpec } from './app.js';

/**
 * A REST route that serves an MCP tool says so in its summary, "List tests (list_tests)", and takes that
 * tool's arguments as its parameters. Each parameter is described once: the REST text (the controller's
 * JSDoc `@param`, which tsoa copies into the OpenAPI document) must be the text of the same field in the
 * tool's zod input schema (libs/services/src/contracts), which is what MCP clients read.
 */

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly description?: string;
}

interface Operation {
  readonly summary?: string;
  readonly parameters?: readonly Parameter[];
}

interface Mismatch {
  readonly route: string;
  readonly problem: string;
}

/**
 * Parameters of how REST answers, which the tool has no use for: an MCP answer is JSON with images
 * beside it, never an HTML page.
 */
const REST_ONLY: Readonly<Record<string, readonly string[]>> = {
  'GET /api/quality-report': ['format'],
  // The tool's confirmation_token travels in a header on REST (ADR 0032).
  'POST /api/bugs/{bug_id}/accept': ['X-Confirmation-Token'],
  'POST /api/bugs/{bug_id}/reject': ['X-Confirmation-Token'],
  'POST /api/bugs/{bug_id}/mark_known': ['X-Confirmation-Token'],
  'POST /api/bugs/{bug_id}/mark_fixed': ['X-Confirmation-Token'],
  'POST /api/bugs/triage': ['X-Confirmation-Token'],
};

const CONTROLLERS = new URL('./controllers/', import.meta.url);

/** `list_tests` → `listTestsInputSchema`, as the contracts name them. */
function inputSchemaOf(tool: string): z.ZodType | undefined {
  const name = `${tool.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())}InputSchema`;
  const value = (services as Record<string, unknown>)[name];
  return value instanceof z.ZodType ? value : undefined;
}

/** The JSON Schema fields of a tool's input, as published to MCP clients (input side: defaults optional). */
function fieldsOf(schema: z.ZodType): Record<string, { description?: string }> {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { description?: string }>;
  };
  return json.properties ?? {};
}

/** The controller file whose JSDoc carries this summary, so the failure says where to edit. */
function controllerWith(summary: string): string {
  for (const file of readdirSync(CONTROLLERS)) {
    if (!file.endsWith('.controller.ts')) continue;
    if (readFileSync(new URL(file, CONTROLLERS), 'utf8').includes(`@summary ${summary}`))
      return `apps/rest-api/src/controllers/${file}`;
  }
  return 'apps/rest-api/src/controllers/ (no file has this @summary)';
}

function toolRoutes(): Array<{ route: string; tool: string; operation: Operation }> {
  const paths = loadOpenApiSpec()['paths'] as Record<string, Record<string, Operation>>;
  const out: Array<{ route: string; tool: string; operation: Operation }> = [];
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const tool = /\((\w+)\)$/.exec(operation.summary ?? '')?.[1];
      if (tool) out.push({ route: `${method.toUpperCase()} ${path}`, tool, operation });
    }
  }
  return out;
}

function mismatches(): { compared: number; found: Mismatch[] } {
  const found: Mismatch[] = [];
  let compared = 0;
  for (const { route, tool, operation } of toolRoutes()) {
    const summary = operation.summary ?? '';
    const schema = inputSchemaOf(tool);
    if (!schema) {
      found.push({
        route,
        problem: `its summary names the tool ${tool}, but @testio-mcp/services exports no input schema for it. Fix the tool name in the @summary of ${controllerWith(summary)}.`,
      });
      continue;
    }
    const fields = fieldsOf(schema);
    for (const parameter of operation.parameters ?? []) {
      if (REST_ONLY[route]?.includes(parameter.name)) continue;
      const field = fields[parameter.name];
      const where = `${parameter.in} parameter '${parameter.name}'`;
      if (!field) {
        found.push({
          route,
          problem: `${where} is not an argument of ${tool}. A route named after a tool takes that tool's arguments: rename the parameter in ${controllerWith(summary)} or add the field to the tool's input schema.`,
        });
        continue;
      }
      compared++;
      const rest = parameter.description ?? '(none)';
      const zod = field.description ?? '(none)';
      if (rest === zod) continue;
      found.push({
        route,
        problem: [
          `${where} is described twice, differently.`,
          `  REST (the @param ${parameter.name} line of "@summary ${summary}" in ${controllerWith(summary)}):`,
          `    ${rest}`,
          `  MCP (the .describe() of '${parameter.name}' in ${tool}'s input schema, libs/services/src/contracts):`,
          `    ${zod}`,
          `  Make them the same text: copy the zod text into the @param line, or improve the zod text and copy`,
          `  it (then run \`npm run docs:tools\`).`,
        ].join('\n'),
      });
    }
  }
  return { compared, found };
}

describe('REST parameter documentation', () => {
  it('matches the zod description of the same field of the tool the route serves', () => {
    const routes = toolRoutes();
    // Every tool with a REST route is checked; today that is most of them, never none.
    expect(routes.length).toBeGreaterThan(0);
    const { compared, found } = mismatches();
    expect(compared).toBeGreaterThan(0);
    const report = found.map((m) => `${m.route}: ${m.problem}`).join('\n\n');
    expect(found, `\n${report}\n`).toEqual([]);
  });
});
