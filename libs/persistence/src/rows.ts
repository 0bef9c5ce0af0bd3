import type { Prisma } from './generated/prisma/client.js';

/**
 * Row types of the raw SQL, derived from the models Prisma generates from `prisma/schema.prisma`, so a
 * reader or store cannot name a column the schema lacks or read it as the wrong type: change a field in
 * the schema and `persistence:typecheck` (which regenerates the client first) fails where the code
 * disagrees. Columns are the fields' `@map` names, which `schema.test.ts` holds to snake_case of the
 * field name; values are what better-sqlite3 returns for them: `DateTime` → ISO text (`time.ts`),
 * `Boolean` → 0/1, `Json` → JSON text (but `raw` of the bug and test tables: `StoredRaw`), `Int` → number, nullability as in the schema.
 * Columns a query computes (`count(*) AS n`) are typed where the query is written.
 */

/** `customerId` → `customer_id`. */
export type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

/** A non-Json field's value as SQLite stores it (distributes over `| null`). */
type SqliteScalar<V> = V extends Date ? string : V extends boolean ? number : V;

/**
 * A Json field's model type (`JsonValue`) already includes `null`, so its nullability is read from the
 * model's `orderBy` input, which offers `SortOrderInput` (nulls first/last) for nullable fields only.
 */
type SqliteJson<OrderBy, K> = K extends keyof OrderBy
  ? Prisma.SortOrderInput extends NonNullable<OrderBy[K]>
    ? string | null
    : string
  : never;

export type SqliteRow<Model, OrderBy> = {
  [K in keyof Model & string as SnakeCase<K>]: [Prisma.JsonValue] extends [Model[K]]
    ? SqliteJson<OrderBy, K>
    : SqliteScalar<Model[K]>;
};

export type ProductRow = SqliteRow<Prisma.ProductModel, Prisma.ProductOrderByWithRelationInput>;
export type FeatureRow = SqliteRow<Prisma.FeatureModel, Prisma.FeatureOrderByWithRelationInput>;
export type UserStoryRow = SqliteRow<Prisma.UserStoryModel, Prisma.UserStoryOrderByWithRelationInput>;
/**
 * The `raw` of bugs, tests, test features and test platforms: a compressed BLOB, or the JSON text of a
 * row written before compression (ADR 0039); read it with `decodeRaw`.
 */
export type StoredRaw = Uint8Array | string;
type WithStoredRaw<Row> = Omit<Row, 'raw'> & { raw: StoredRaw };

export type TestRow = WithStoredRaw<SqliteRow<Prisma.TestModel, Prisma.TestOrderByWithRelationInput>>;
export type TestFeatureRow = WithStoredRaw<
  SqliteRow<Prisma.TestFeatureModel, Prisma.TestFeatureOrderByWithRelationInput>
>;
export type TestPlatformRow = WithStoredRaw<
  SqliteRow<Prisma.TestPlatformModel, Prisma.TestPlatformOrderByWithRelationInput>
>;
export type BugRow = WithStoredRaw<SqliteRow<Prisma.BugModel, Prisma.BugOrderByWithRelationInput>>;
export type UserRow = SqliteRow<Prisma.UserModel, Prisma.UserOrderByWithRelationInput>;
export type SyncRunRow = SqliteRow<Prisma.SyncRunModel, Prisma.SyncRunOrderByWithRelationInput>;
export type ProblematicRangeRow = SqliteRow<
  Prisma.ProblematicRangeModel,
  Prisma.ProblematicRangeOrderByWithRelationInput
>;
export type SyncLeaseRow = SqliteRow<Prisma.SyncLeaseModel, Prisma.SyncLeaseOrderByWithRelationInput>;
