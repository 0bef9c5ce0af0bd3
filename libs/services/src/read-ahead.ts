import type { SyncEngine } from '@testio-mcp/sync';
import { safeMessage, type ServiceContext } from './context.js';

/**
 * Answers asked before the first sync reached their product. A count read from a product whose test
 * list was never walked would be 0 and look true, so the product's tests (and their bugs) are read
 * first, sharing one upstream walk per product with every other caller (single-flight), for at most
 * `firstSyncWaitMs`. Past that the answer shows what exists, with a warning that says how far the first
 * sync is and when to ask again; the walk carries on in the background.
 */

export interface ReadAheadResult {
  /** Products whose tests were not read in time (their counts are incomplete). */
  readonly pending: number[];
  readonly warnings: string[];
}

/** At most this many products are read ahead for one answer (a page of `list_products`). */
export const MAX_READ_AHEAD_PRODUCTS = 10;

export interface FirstSyncProgress {
  /** Products whose tests have been walked at least once. */
  readonly walked: number;
  readonly total: number;
  /** A sync holds the lease now. */
  readonly running: boolean;
  /** Rough seconds until every product is walked, from the running sync's pace; null when unknown. */
  readonly etaSeconds: number | null;
}

export async function firstSyncProgress(engine: SyncEngine, now: Date): Promise<FirstSyncProgress> {
  const status = await engine.status({ runs: 1 });
  const total = status.products.length;
  const walked = status.products.filter((p) => p.testsSyncedAt !== null).length;
  const run = status.runs[0];
  let etaSeconds: number | null = null;
  if (status.running && run && run.status === 'running' && walked > 0 && walked < total) {
    const elapsed = Math.max(1, (now.getTime() - run.startedAt.getTime()) / 1000);
    etaSeconds = Math.ceil((elapsed / walked) * (total - walked));
  }
  return { walked, total, running: status.running, etaSeconds };
}

function askAgain(etaSeconds: number | null): string {
  if (etaSeconds === null) return 'ask again in a minute or two';
  if (etaSeconds < 90) return 'ask again in about a minute';
  return `ask again in about ${Math.ceil(etaSeconds / 60)} minutes`;
}

/** The warning of an answer whose products' tests are not all in the mirror yet. */
export function pendingWarning(pending: readonly number[], progress: FirstSyncProgress): string {
  const which = `product${pending.length === 1 ? '' : 's'} ${pending.join(', ')}`;
  const where = progress.running
    ? `The first sync is still running (tests of ${progress.walked} of ${progress.total} products read so far)`
    : `The tests of ${which} have not been synced yet`;
  return `${where}; the tests of ${which} are still being read, so their counts are incomplete: ${askAgain(progress.etaSeconds)}, or run sync_data and wait for it`;
}

export function createReadAhead(ctx: ServiceContext) {
  const waitMs = ctx.settings.firstSyncWaitMs;

  /** Reads the tests of the never-walked products among `productIds`, waiting at most `firstSyncWaitMs`. */
  return async function readAhead(productIds: readonly number[]): Promise<ReadAheadResult> {
    const ids = productIds.slice(0, MAX_READ_AHEAD_PRODUCTS);
    const skipped = productIds.slice(MAX_READ_AHEAD_PRODUCTS);
    if (productIds.length === 0) return { pending: [], warnings: [] };
    const work = ids.length > 0 ? ctx.readThrough.ensureProductTests(ids) : Promise.resolve(null);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), waitMs);
    });
    const outcome = await Promise.race([work, timedOut]).finally(() => clearTimeout(timer));
    const pending = [...skipped];
    const warnings: string[] = [];
    if (outcome === 'timeout') {
      // The walk goes on; its result lands in the mirror for the next question.
      work.catch((error: unknown) => ctx.logger.warn({ err: error }, 'reading tests ahead failed'));
      pending.unshift(...ids);
    } else if (outcome) {
      for (const failure of outcome.failed) {
        warnings.push(
          `Could not read the tests of product ${failure.id} from TestIO (${safeMessage(failure.error)}); its counts may be incomplete`,
        );
      }
    }
    if (pending.length > 0)
      warnings.push(pendingWarning(pending, await firstSyncProgress(ctx.engine, ctx.clock.now())));
    return { pending, warnings };
  };
}
