import type { SyncResult } from '@testio-mcp/sync';

/** The table printed at the end of `testio-mcp sync`: what changed, what failed, how long it took. */
export function formatSyncSummary(result: SyncResult): string {
  const c = result.counts;
  const rows: Array<[string, string]> = [
    ['outcome', result.status],
    ['mode', result.mode],
    ['duration', `${(result.durationMs / 1000).toFixed(1)} s`],
    [
      'products synced',
      `${c.productsSynced}${c.productsDeleted ? ` (${c.productsDeleted} deleted upstream)` : ''}`,
    ],
    ['features refreshed', String(c.featuresRefreshed)],
    ['tests', `${c.testsDiscovered} new, ${c.testsUpdated} updated, ${c.testsDeleted} deleted`],
    ['bugs', `${c.bugsSynced} synced, ${c.bugsDeleted} deleted`],
    ['upstream calls', String(c.upstreamCalls)],
  ];
  if (result.failedRanges.length > 0) {
    rows.push(['unreadable ranges', `${result.failedRanges.length} (see: testio-mcp problematic list)`]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  for (const warning of result.warnings) lines.push(`  warning: ${warning}`);
  for (const error of result.errors) lines.push(`  error: ${error}`);
  return `${lines.join('\n')}\n`;
}
