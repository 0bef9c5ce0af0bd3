/**
 * Reduced (the default, part of `npm test`) or full (`RELIABILITY_FULL=1`, `npm run test:reliability`).
 * The reduced run uses a fixed fast-check seed; the full run a random one. Both print it, and
 * `RELIABILITY_SEED=<n>` replays a run.
 */

export const FULL = process.env.RELIABILITY_FULL === '1';

export const SEED = process.env.RELIABILITY_SEED
  ? Number(process.env.RELIABILITY_SEED)
  : FULL
    ? Math.floor(Math.random() * 2 ** 31)
    : 20_261_122;

/** `reduced` in the default run, `full` with RELIABILITY_FULL=1. */
export function runs(reduced: number, full: number): number {
  return FULL ? full : reduced;
}

export function announce(suite: string, details: Record<string, unknown> = {}): void {
  console.error(
    `[reliability] ${suite}: mode ${FULL ? 'full' : 'reduced'}, seed ${SEED}${Object.entries(details)
      .map(([k, v]) => `, ${k} ${String(v)}`)
      .join('')}`,
  );
}
