import type { EnvRecord, ProblematicRange } from '@testio-mcp/domain';
import { parseIdList } from '@testio-mcp/domain';
import { Command } from 'commander';
import { createSyncContainer } from '../container.js';
import { confirmDestructive } from './confirm.js';
import { CommandFailure, loadContext, prepareCommand, reportCommandError } from './shared.js';
import { formatSyncSummary } from './summary.js';

function formatRange(r: ProblematicRange): string {
  const when = (d: Date | null) => (d ? d.toISOString() : '?');
  return (
    `  #${r.id} product ${r.productId} positions ${r.offsetFrom}-${r.offsetTo}, ${r.attempts} attempt(s), ` +
    `between test ${r.boundaryBeforeId ?? '?'} (${when(r.boundaryBeforeEndAt)}) and test ${r.boundaryAfterId ?? '?'} (${when(r.boundaryAfterEndAt)}); ` +
    `last error: ${r.lastError}${r.resolvedAt ? `; resolved ${r.resolvedAt.toISOString()}` : ''}`
  );
}

/** `testio-mcp problematic list|retry|clear`: ranges of test lists TestIO could not serve. */
export async function runProblematicCommand(argv: readonly string[], env: EnvRecord): Promise<number> {
  try {
    let action:
      { name: 'list' | 'retry' | 'clear'; productId?: number; all?: boolean; yes?: boolean } | undefined;
    const program = prepareCommand(
      new Command('testio-mcp problematic').description('Tests that failed to sync.'),
    );
    program
      .command('list')
      .description('show open ranges (--all: resolved ones too)')
      .option('--product-id <id>')
      .option('--all')
      .action((o: { productId?: string; all?: boolean }) => {
        const productId = parseIdList(o.productId, '--product-id')?.[0];
        action = { name: 'list', ...(productId !== undefined ? { productId } : {}), all: Boolean(o.all) };
      });
    program
      .command('retry')
      .description('read the affected products again, resolving ranges that now load')
      .option('--product-id <id>')
      .action((o: { productId?: string }) => {
        const productId = parseIdList(o.productId, '--product-id')?.[0];
        action = { name: 'retry', ...(productId !== undefined ? { productId } : {}) };
      });
    program
      .command('clear')
      .description('forget recorded ranges, after a confirmation')
      .option('--product-id <id>')
      .option('-y, --yes', 'do not ask (required without a terminal)')
      .action((o: { productId?: string; yes?: boolean }) => {
        const productId = parseIdList(o.productId, '--product-id')?.[0];
        action = { name: 'clear', ...(productId !== undefined ? { productId } : {}), yes: Boolean(o.yes) };
      });
    program.parse([...argv], { from: 'user' });
    if (!action)
      throw new CommandFailure('testio-mcp problematic: choose one of list, retry, clear (see --help)', 2);

    const { settings, runtime, logger } = loadContext(env, 'problematic', {
      requireToken: action.name === 'retry',
    });
    const container = await createSyncContainer(settings, runtime, logger, 'problematic-cli');
    try {
      const stores = container.database.stores.syncState;
      if (action.name === 'list') {
        const ranges = await stores.listProblematicRanges({
          ...(action.productId !== undefined ? { productId: action.productId } : {}),
          includeResolved: Boolean(action.all),
        });
        process.stdout.write(
          ranges.length ? `${ranges.map(formatRange).join('\n')}\n` : 'no problematic ranges\n',
        );
        return 0;
      }
      if (action.name === 'clear') {
        const scope = action.productId !== undefined ? ` of product ${action.productId}` : '';
        const confirmed = await confirmDestructive({
          yes: Boolean(action.yes),
          command: 'problematic clear',
          consequence: `forgets every recorded problematic range${scope} (the tests in them are no longer retried)`,
        });
        if (!confirmed) {
          process.stderr.write('cancelled: nothing was cleared\n');
          return 1;
        }
        const cleared = await stores.clearProblematicRanges(action.productId);
        process.stdout.write(`cleared ${cleared} range(s)\n`);
        return 0;
      }
      const retried = await container.engine.retryProblematic({
        trigger: 'manual_cli',
        ...(action.productId !== undefined ? { productId: action.productId } : {}),
      });
      if (!retried.result) {
        process.stdout.write('no open problematic ranges\n');
        return 0;
      }
      process.stdout.write(
        `${formatSyncSummary(retried.result)}resolved ${retried.resolved}, still open ${retried.remaining}\n`,
      );
      return retried.remaining === 0 ? 0 : 1;
    } finally {
      await container.close();
    }
  } catch (error) {
    return reportCommandError(error);
  }
}
