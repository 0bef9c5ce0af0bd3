/**
 * V8 limits for the long-running processes we launch ourselves: the children of `testio-mcp start`
 * and the stdio server of the client configurations it prints. Left alone, V8 lets its heap grow far
 * past what is live between major collections (a full `medium` sync peaks at ~280–320 MB RSS with a
 * live set well under 100 MB); a cap makes it collect sooner. Measured in ADR 0011.
 */
export const HEAP_FLAGS: readonly string[] = ['--max-old-space-size=192', '--max-semi-space-size=8'];

function flagName(flag: string): string {
  return (flag.split('=')[0] ?? flag).replace(/_/g, '-');
}

/**
 * The flags of `HEAP_FLAGS` that `NODE_OPTIONS` does not already set: a person who raised the heap limit
 * there must win, and a flag on the command line would override it.
 */
export function heapFlagsFor(env: Readonly<Record<string, string | undefined>>): string[] {
  const chosen = new Set(
    (env['NODE_OPTIONS'] ?? '')
      .split(/\s+/)
      .filter((f) => f.startsWith('--'))
      .map(flagName),
  );
  return HEAP_FLAGS.filter((flag) => !chosen.has(flagName(flag)));
}
