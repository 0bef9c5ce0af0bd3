import { it } from 'vitest';
import { describeTool } from './server.js';
import { TOOLS } from './tools/index.js';
function undocumented(schema: unknown, path = ''): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[]; additionalProperties?: unknown };
  const out: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (typeof (child as { description?: unknown }).description !== 'string') out.push(`${path}${key}`);
    out.push(...undocumented(child, `${path}${key}.`));
  }
  if (node.items) out.push(...undocumented(node.items, `${path}[].`));
  for (const option of node.anyOf ?? []) out.push(...undocumented(option, path));
  return out;
}
it('x', () => {
  let n = 0;
  for (const tool of TOOLS) { const u = undocumented(describeTool(tool).outputSchema); n += u.length; console.log(tool.name, u.length, u.join(' ')); }
  console.log('TOTAL', n);
});
