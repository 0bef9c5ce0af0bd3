import type { SyncStores } from '@testio-mcp/domain';
import type { StoreContext } from './context.js';
import { SqliteBugStore } from './bug-store.js';
import { SqliteFeatureStore } from './feature-store.js';
import { SqliteProductStore } from './product-store.js';
import { SqliteSyncStateStore } from './sync-state-store.js';
import { SqliteTestStore } from './test-store.js';

export { SqliteBugStore, SqliteFeatureStore, SqliteProductStore, SqliteSyncStateStore, SqliteTestStore };
export type { StoreContext } from './context.js';

/** The sync engine's stores over one connection, bound to one tenant. */
export function createSyncStores(ctx: StoreContext): SyncStores {
  return {
    products: new SqliteProductStore(ctx),
    features: new SqliteFeatureStore(ctx),
    tests: new SqliteTestStore(ctx),
    bugs: new SqliteBugStore(ctx),
    syncState: new SqliteSyncStateStore(ctx),
  };
}
