/** Time in the sandbox is plain epoch milliseconds; the account's "now" only moves through `advance`. */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Offsets (minutes) the generator mixes, as the live API mixes `+02:00`, `+01:00` and `+00:00`. */
export const UTC_OFFSETS_MINUTES = [0, 60, 120] as const;

/** ISO 8601 with an explicit offset and no milliseconds, the way the API writes `start_at`. */
export function formatWithOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}

export function startOfUtcDay(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

export function floorToHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}
