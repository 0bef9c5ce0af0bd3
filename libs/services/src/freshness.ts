/**
 * Every answer says how fresh its data is. This computes the shared freshness block from the time
 * the underlying rows were last synced.
 */

export interface Freshness {
  /** When the oldest row behind the answer was last read from TestIO (ISO 8601 UTC), or null if never. */
  readonly data_as_of: string | null;
  readonly age_seconds: number | null;
  /** True when the data is older than the cache TTL or was never synced. */
  readonly stale: boolean;
  readonly warnings: readonly string[];
}

export function computeFreshness(
  syncedAt: Date | null,
  now: Date,
  ttlSeconds: number,
  warnings: readonly string[] = [],
): Freshness {
  if (syncedAt === null) {
    return {
      data_as_of: null,
      age_seconds: null,
      stale: true,
      warnings: [...warnings, 'No data has been synced yet; run sync_data or wait for the sync worker'],
    };
  }
  const ageSeconds = Math.max(0, Math.floor((now.getTime() - syncedAt.getTime()) / 1000));
  return {
    data_as_of: syncedAt.toISOString(),
    age_seconds: ageSeconds,
    stale: ageSeconds > ttlSeconds,
    warnings,
  };
}
