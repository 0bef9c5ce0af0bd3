import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../../..');

/**
 * The tool names of the MCP server's registry (`TOOLS`), in `tools/list` order. Module boundaries keep
 * apps out of this project, so they are read from docs/tools.md, which is rendered from the registry and
 * compared with it byte for byte (apps/mcp-server/src/docs.test.ts): one `## \`name\`` heading a tool;
 * aliases, documented but not listed, are left out, and so are the tools of the opt-in `triage` toolset,
 * which a server lists only with TESTIO_ENABLE_WRITES=true (ADR 0032).
 */
export function catalogueToolNames(): string[] {
  const doc = readFileSync(path.join(ROOT, 'docs/tools.md'), 'utf8');
  // An alias (its title says "alias of ...") answers calls but is not listed in tools/list.
  // The line under each heading: the title in bold, then the toolset and the hints.
  const names = [...doc.matchAll(/^## `([a-z_]+)`\n\n(\*\*[^\n]*)/gm)]
    .filter((m) => !/\(alias of /.test(m[2] as string) && !/toolset `triage`/.test(m[2] as string))
    .map((m) => m[1] as string);
  if (names.length === 0) throw new Error('docs/tools.md lists no tools: run npm run docs:tools');
  return names;
}
