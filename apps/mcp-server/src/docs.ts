import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toolUiMeta } from './apps/index.js';
import type { JsonSchema } from './json-schema.js';
import { describeTool } from './server.js';
import { TOOLSETS, type AnyToolDefinition } from './tools/define-tool.js';
import { FORMER_TOOL_NAMES } from './tools/former-names.js';
import { TOOLS } from './tools/index.js';

/**
 * `docs/tools.md`, rendered from the registry: the published schemas, annotations and examples, so
 * the page cannot drift from what `tools/list` says (a test compares the file with this rendering).
 */

export const TOOLS_DOC_PATH = path.resolve(import.meta.dirname, '../../../docs/tools.md');

const TOOLSET_NOTES: Record<(typeof TOOLSETS)[number], string> = {
  discovery: 'paginated lists to find ids',
  summaries: 'one entity in depth',
  analytics: 'quality reports and ad-hoc metrics',
  search: 'full-text search',
  admin: 'sync, health and sync problems',
  triage:
    'accept, reject, mark known or fixed: writes to TestIO, off unless TESTIO_ENABLE_WRITES=true or named in TESTIO_TOOLSETS, never under --read-only; every write confirmed and audited (ADR 0032)',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
}

function typeOf(node: JsonSchema): string {
  if (Array.isArray(node.anyOf)) {
    const options = (node.anyOf as JsonSchema[]).map(typeOf).filter((t) => t !== 'null');
    return [...new Set(options)].join(' or ');
  }
  if (Array.isArray(node.enum)) return `${String(node.type ?? 'string')} (enum)`;
  const type = node.type;
  if (Array.isArray(type)) return type.filter((t) => t !== 'null').join(' or ');
  if (type === 'array') {
    const items = node.items as JsonSchema | undefined;
    return `array of ${items ? typeOf(items) : 'any'}`;
  }
  if (typeof type === 'string') return type;
  return 'any';
}

function bounds(node: JsonSchema): string {
  const parts: string[] = [];
  if (typeof node.minimum === 'number' && typeof node.maximum === 'number')
    parts.push(`${node.minimum}-${node.maximum}`);
  else if (typeof node.minimum === 'number') parts.push(`≥ ${node.minimum}`);
  if (typeof node.minLength === 'number' && typeof node.maxLength === 'number')
    parts.push(`${node.minLength}-${node.maxLength} chars`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function hints(tool: AnyToolDefinition): string {
  const a = tool.annotations;
  return [
    a.readOnlyHint
      ? 'read-only'
      : tool.readOnly
        ? `writes files through ${tool.readOnly.without.join(', ')} (left out under --read-only)`
        : tool.toolset === 'triage'
          ? 'writes to TestIO, confirmed (off by default, left out under --read-only)'
          : 'writes the local mirror (left out under --read-only)',
    a.destructiveHint ? 'destructive' : undefined,
    a.idempotentHint ? 'idempotent' : undefined,
    a.openWorldHint ? 'may call the TestIO API' : 'local mirror only',
    tool.runsAsTask ? 'runs as a task for clients that support tasks' : undefined,
    toolUiMeta(tool.aliasOf ?? tool.name) ? 'opens the product dashboard in hosts with MCP Apps' : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
}

function renderTool(tool: AnyToolDefinition): string {
  const listed = describeTool(tool);
  const input = listed.inputSchema as JsonSchema;
  const output = (listed.outputSchema ?? {}) as JsonSchema;
  const required = new Set((input.required as string[] | undefined) ?? []);
  const params = Object.entries((input.properties ?? {}) as Record<string, JsonSchema>);
  const fields = Object.entries((output.properties ?? {}) as Record<string, JsonSchema>);
  const outputRequired = new Set((output.required as string[] | undefined) ?? []);
  const [example] = tool.examples;

  const lines = [
    `## \`${tool.name}\``,
    '',
    `**${tool.title}** · toolset \`${tool.toolset}\` · ${hints(tool)}`,
    '',
    tool.description,
    '',
  ];
  lines.push('**Parameters**', '');
  if (params.length === 0) lines.push('None.', '');
  else {
    lines.push('| Name | Type | Required | Default | Description |', '|---|---|---|---|---|');
    for (const [name, schema] of params) {
      const fallback = schema.default === undefined ? '' : `\`${JSON.stringify(schema.default)}\``;
      lines.push(
        `| \`${name}\` | ${cell(typeOf(schema) + bounds(schema))} | ${required.has(name) ? 'yes' : 'no'} | ${fallback} | ${cell(String(schema.description ?? ''))} |`,
      );
    }
    lines.push('');
  }
  lines.push('**Returns** (`structuredContent`, also as JSON text)', '');
  lines.push('| Field | Type | Description |', '|---|---|---|');
  for (const [name, schema] of fields) {
    lines.push(
      `| \`${name}\`${outputRequired.has(name) ? '' : ' (optional)'} | ${cell(typeOf(schema))} | ${cell(String(schema.description ?? ''))} |`,
    );
  }
  lines.push(
    '',
    `**Example**: ${example.description}`,
    '',
    '```json',
    JSON.stringify({ name: tool.name, arguments: example.arguments }, null, 2),
    '```',
    '',
  );
  return lines.join('\n');
}

/** The reference product's tool names of earlier releases, and what to call instead. */
function formerNames(): string[] {
  return [
    '### Tool names of the reference product',
    '',
    "Names of the reference's earlier releases (v0.1 to v0.4) are not listed in `tools/list`. In `ENABLED_TOOLS` / `DISABLED_TOOLS` each",
    'counts as its replacement (with a warning at start-up). A call to one whose question maps exactly onto the replacement is answered',
    'by the replacement (still callable); a call to any other answers with the replacement and its arguments.',
    '',
    '| Former name | Call instead | Still callable |',
    '|---|---|---|',
    ...Object.entries(FORMER_TOOL_NAMES).map(
      ([name, former]) => `| \`${name}\` | ${cell(former.how)} | ${former.call ? 'yes' : 'no'} |`,
    ),
    ...TOOLS.filter((t) => t.aliasOf !== undefined).map(
      (t) =>
        `| \`${t.name}\` | \`${t.aliasOf}\`, same arguments | yes (listed when \`ENABLED_TOOLS\` names it) |`,
    ),
    '',
  ];
}

export function renderToolsDoc(tools: readonly AnyToolDefinition[] = TOOLS): string {
  const header = [
    '# MCP tools',
    '',
    '<!-- Generated from apps/mcp-server/src/tools by `npm run docs:tools`; do not edit by hand (a test fails when this file is out of date). -->',
    '',
    `TestIO MCP serves ${tools.filter((t) => t.aliasOf === undefined).length} tools over stdio and Streamable HTTP (see [mcp-clients.md](mcp-clients.md)). Every tool returns`,
    '`structuredContent` that matches its published output schema, plus the same JSON as a text block. Errors are tool results with',
    '`isError: true` and a three-line text: ❌ what failed, ℹ️ why, 💡 what to do next (often the tool that lists valid ids).',
    '',
    'Inputs are forgiving where assistants are sloppy: ids as numbers or numeric strings, lists as arrays, JSON-array strings or',
    'comma strings (`"598, 599"`), dates as ISO or English (`Jan 15 2025`, `last 30 days`, `this quarter`; grammar in',
    '[dates.md](dates.md)). Lists are paginated with an exact `pagination.total_count` and `has_more`; a page past the last one is',
    'empty, with a `pagination.hint` naming the last page. An answer larger than about 25,000 tokens is refused with a request to',
    'narrow it. Everything else is an error rather than a guess: an argument name the tool does not take (with the likely one',
    'suggested), a bare year or an ambiguous `01/02/2025` as a date.',
    '',
    'Coming from the Python reference? [migrating-from-reference.md](migrating-from-reference.md) maps every older tool name',
    "(`health_check`, `get_test_status`, `get_test_bugs`, `generate_status_report`, ...) to today's tool and arguments.",
    '',
    'Choose the tools a client sees with `TESTIO_TOOLSETS` (groups below), `ENABLED_TOOLS` or `DISABLED_TOOLS`. An alias answers',
    'calls whenever its tool is served but is listed only when `ENABLED_TOOLS` names it.',
    '',
    '| Tool | Toolset | Title |',
    '|---|---|---|',
    ...tools.map((t) => `| [\`${t.name}\`](#${t.name}) | ${t.toolset} | ${t.title} |`),
    '',
    ...formerNames(),
    '| Toolset | For | Tools |',
    '|---|---|---|',
    ...TOOLSETS.map((set) => {
      const names = tools.filter((t) => t.toolset === set).map((t) => `\`${t.name}\``);
      return `| \`${set}\` | ${TOOLSET_NOTES[set]} | ${names.join(', ') || '—'} |`;
    }),
    '',
  ];
  return [...header, ...tools.map(renderTool)].join('\n');
}

export function writeToolsDoc(file = TOOLS_DOC_PATH): void {
  writeFileSync(file, renderToolsDoc());
}

export function readToolsDoc(file = TOOLS_DOC_PATH): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
