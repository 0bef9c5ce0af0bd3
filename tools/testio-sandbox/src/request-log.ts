import type { RequestLogEntry } from './types.js';

export const REQUEST_LOG_CAP = 100_000;

/** API requests in arrival-of-answer order; the oldest fall off past the cap. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    // Trim in chunks so a long benchmark does not pay an O(n) shift per request.
    if (this.entries.length > REQUEST_LOG_CAP + 1_000) this.entries = this.entries.slice(-REQUEST_LOG_CAP);
  }

  list(): RequestLogEntry[] {
    return this.entries.slice(-REQUEST_LOG_CAP);
  }

  reset(): void {
    this.entries = [];
  }
}
