import type {
  BugRow,
  FeatureRow,
  ProblematicRangeRow,
  ProductRow,
  SnakeCase,
  SyncLeaseRow,
  SyncRunRow,
  TestPlatformRow,
  TestRow,
  UserRow,
} from './rows.js';

/**
 * Compile-time checks of the row types `rows.ts` derives from `schema.prisma` (checked by
 * `persistence:typecheck`, which regenerates the Prisma client first; not a vitest file). They pin the
 * SQLite representation of each kind of field and the full column list of the tables read with
 * `SELECT *`, so a schema change that the raw SQL would read differently fails here as well as at
 * every reader or store whose code no longer fits.
 */

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

export type Checks = [
  Expect<Equal<SnakeCase<'customerId'>, 'customer_id'>>,
  Expect<Equal<SnakeCase<'boundaryBeforeEndAt'>, 'boundary_before_end_at'>>,
  Expect<Equal<SnakeCase<'howtofind'>, 'howtofind'>>,
  // Int, String, String?
  Expect<Equal<BugRow['customer_id'], number>>,
  Expect<Equal<BugRow['title'], string>>,
  Expect<Equal<BugRow['severity'], string | null>>,
  // Boolean and Boolean? are 0/1 integers
  Expect<Equal<BugRow['known'], number>>,
  Expect<Equal<TestRow['enable_low'], number | null>>,
  // DateTime and DateTime? are ISO text (time.ts)
  Expect<Equal<ProductRow['synced_at'], string>>,
  Expect<Equal<TestRow['end_at'], string | null>>,
  // Json and Json? are JSON text
  Expect<Equal<ProductRow['raw'], string>>,
  // except the compressed payloads of bugs, tests and their children (ADR 0039)
  Expect<Equal<BugRow['raw'], Uint8Array | string>>,
  Expect<Equal<TestPlatformRow['raw'], Uint8Array | string>>,
  Expect<Equal<TestRow['environment'], string | null>>,
  Expect<Equal<FeatureRow['user_stories'], string>>,
  Expect<Equal<TestPlatformRow['browsers'], string>>,
  Expect<Equal<UserRow['is_tester'], number>>,
  // tables the stores and readers read with SELECT *
  Expect<
    Equal<
      keyof SyncRunRow,
      | 'id'
      | 'customer_id'
      | 'trigger'
      | 'mode'
      | 'product_ids'
      | 'status'
      | 'started_at'
      | 'finished_at'
      | 'heartbeat_at'
      | 'duration_ms'
      | 'products_synced'
      | 'products_deleted'
      | 'features_refreshed'
      | 'tests_discovered'
      | 'tests_updated'
      | 'tests_deleted'
      | 'bugs_synced'
      | 'bugs_deleted'
      | 'upstream_calls'
      | 'warnings'
      | 'error'
    >
  >,
  Expect<Equal<SyncRunRow['product_ids'], string | null>>,
  Expect<Equal<SyncRunRow['warnings'], string>>,
  Expect<
    Equal<
      keyof ProblematicRangeRow,
      | 'id'
      | 'customer_id'
      | 'product_id'
      | 'offset_from'
      | 'offset_to'
      | 'boundary_before_id'
      | 'boundary_before_end_at'
      | 'boundary_after_id'
      | 'boundary_after_end_at'
      | 'attempts'
      | 'last_error'
      | 'first_seen_at'
      | 'last_seen_at'
      | 'resolved_at'
    >
  >,
  Expect<Equal<keyof SyncLeaseRow, 'customer_id' | 'holder' | 'acquired_at' | 'expires_at'>>,
];
