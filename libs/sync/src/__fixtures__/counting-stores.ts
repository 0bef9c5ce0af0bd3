import type { SyncStores } from '@testio-mcp/domain';

export interface CountingStores extends SyncStores {
  /** Calls per method name (e.g. `replaceBugsOfTests`) since the start or the last `resetCalls`. */
  readonly calls: Readonly<Record<string, number>>;
  resetCalls(): void;
}

/**
 * The real stores, unchanged, with every call counted: "this run wrote no bugs" is asserted on what the
 * engine asked the storage to do, which the file alone cannot tell (a rewrite of identical rows).
 */
export function countingStores(stores: SyncStores): CountingStores {
  const calls: Record<string, number> = {};
  const counted = <T extends object>(store: T): T =>
    new Proxy(store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        return (...args: unknown[]) => {
          calls[key] = (calls[key] ?? 0) + 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return {
    products: counted(stores.products),
    features: counted(stores.features),
    tests: counted(stores.tests),
    bugs: counted(stores.bugs),
    syncState: counted(stores.syncState),
    calls,
    resetCalls() {
      for (const key of Object.keys(calls)) delete calls[key];
    },
  };
}
