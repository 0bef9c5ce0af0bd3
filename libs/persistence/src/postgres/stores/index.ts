import type { SyncStores } from '@testio-mcp/domain';
import { PgBugStore } from './bug-store.js';
import type { PgStoreContext } from './context.js';
import { PgFeatureStore } from './feature-store.js';
import { PgProductStore } from './product-store.js';
import { PgSyncStateStore } from './sync-state-store.js';
import { PgTestStore } from './test-store.js';

export { PgBugStore, PgFeatureStore, PgProductStore, PgSyncStateStore, PgTestStore };
export type { PgStoreContext } from './context.js';

/** The sync engine's stores on PostgreSQL, bound to one tenant; every method is one transaction. */
export function createPgSyncStores(ctx: PgStoreContext): SyncStores {
  return {
    products: new PgProductStore(ctx),
    features: new PgFeatureStore(ctx),
    tests: new PgTestStore(ctx),
    bugs: new PgBugStore(ctx),
    syncState: new PgSyncStateStore(ctx),
  };
}
