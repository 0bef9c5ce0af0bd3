/**
 * Single-flight: concurrent callers asking for the same key share one in-flight promise instead of
 * each starting their own upstream call. Keys leave the map as soon as their promise settles, so the
 * map only ever holds work that is running (no lock registry that grows forever).
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>();

  /** Joins the flight for `key`, or starts it with `fn`. */
  run(key: string, fn: () => Promise<V>): Promise<V> {
    const current = this.inFlight.get(key);
    if (current) return current;
    const promise = fn().finally(() => {
      if (this.inFlight.get(key) === promise) this.inFlight.delete(key);
    });
    this.inFlight.set(key, promise);
    return promise;
  }

  /**
   * Batched variant: keys already in flight are joined; the others are handed to ONE call of `fn`,
   * which must return a value for each of them (a missing key rejects that key's promise). Lets a
   * caller single-flight per entity while fetching and writing many entities together.
   */
  runMany(
    keys: readonly string[],
    fn: (missing: string[]) => Promise<Map<string, V>>,
  ): Map<string, Promise<V>> {
    const out = new Map<string, Promise<V>>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const current = this.inFlight.get(key);
      if (current) out.set(key, current);
      else missing.push(key);
    }
    if (missing.length === 0) return out;
    const batch = Promise.resolve().then(() => fn(missing));
    for (const key of missing) {
      const promise = batch
        .then((values) => {
          if (!values.has(key)) throw new Error(`single-flight batch returned no value for ${key}`);
          return values.get(key) as V;
        })
        .finally(() => {
          if (this.inFlight.get(key) === promise) this.inFlight.delete(key);
        });
      this.inFlight.set(key, promise);
      out.set(key, promise);
    }
    return out;
  }

  /** Keys currently in flight (for tests and diagnostics). */
  get size(): number {
    return this.inFlight.size;
  }
}
