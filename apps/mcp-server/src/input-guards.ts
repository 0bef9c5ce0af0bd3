import { InvalidInputError } from '@testio-mcp/domain';
import type { z } from 'zod';

/**
 * Mistakes models make that a schema alone lets through: an argument name the tool does not have
 * (`status` on list_tests, which takes `statuses`) would otherwise be ignored silently and the answer
 * would look filtered when it is not. (A page past the end is not refused: it is an empty page whose
 * pagination hint names the last page, see the services' buildPagination.)
 */

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j] ?? 0;
      row[j] = Math.min(current + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}

const normalize = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The known argument an unknown one most likely meant, if any is close. */
export function suggestArgument(unknown: string, known: readonly string[]): string | undefined {
  const target = normalize(unknown);
  const exact = known.find((k) => normalize(k) === target);
  if (exact) return exact;
  const scored = known
    .map((k) => ({ k, d: editDistance(target, normalize(k)) }))
    .filter(
      ({ k, d }) =>
        d <= Math.max(1, Math.floor(normalize(k).length / 4)) ||
        normalize(k).startsWith(target) ||
        target.startsWith(normalize(k)),
    )
    .sort((a, b) => a.d - b.d);
  return scored[0]?.k;
}

/** Throws a three-part error for arguments the tool does not take. */
export function rejectUnknownArguments(tool: string, schema: z.ZodObject, raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  const known = Object.keys(schema.shape);
  const unknown = Object.keys(raw).filter((key) => !known.includes(key));
  const [first] = unknown;
  if (first === undefined) return;
  const suggestion = suggestArgument(first, known);
  throw new InvalidInputError({
    field: first,
    message: `Unknown argument${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k.slice(0, 60)}'`).join(', ')} for ${tool}`,
    reason: `${tool} takes: ${known.join(', ')}`,
    hint: suggestion
      ? `Did you mean '${suggestion}'? Call ${tool} again with it`
      : `Call ${tool} again with the arguments listed above only`,
  });
}
