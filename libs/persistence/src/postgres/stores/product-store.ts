import {
  type Product,
  ProductNotFoundError,
  type ProductStore,
  type ProductSyncState,
  type Stored,
  type UpstreamProduct,
} from '@testio-mcp/domain';
import { rawJson } from '../../secrets.js';
import { rawSection } from '../../stores/product-store.js';
import { ids, inTransaction, type PgStoreContext, query } from './context.js';

const UPSERT_PRODUCT = `
INSERT INTO products (customer_id, id, title, type, description, default_section_id, has_sections, raw, synced_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (customer_id, id) DO UPDATE SET
  title = excluded.title, type = excluded.type, description = excluded.description,
  default_section_id = excluded.default_section_id, has_sections = excluded.has_sections,
  raw = excluded.raw, synced_at = excluded.synced_at`;

const UPSERT_SECTION = `
INSERT INTO sections (customer_id, id, product_id, name, raw) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (customer_id, id) DO UPDATE SET product_id = excluded.product_id, name = excluded.name, raw = excluded.raw`;

const SYNC_STATE_COLUMNS =
  'id, title, has_sections, raw, features_synced_at, tests_synced_at, last_full_sync_at';

interface SyncStateRow {
  id: number;
  title: string;
  has_sections: boolean;
  raw: UpstreamProduct;
  features_synced_at: Date | null;
  tests_synced_at: Date | null;
  last_full_sync_at: Date | null;
}

function toSyncState(row: SyncStateRow): ProductSyncState {
  return {
    id: row.id,
    title: row.title,
    hasSections: row.has_sections,
    raw: row.raw,
    featuresSyncedAt: row.features_synced_at,
    testsSyncedAt: row.tests_synced_at,
    lastFullSyncAt: row.last_full_sync_at,
  };
}

/** The PostgreSQL `ProductStore`: the SQLite store's statements, one transaction per method. */
export class PgProductStore implements ProductStore {
  constructor(private readonly ctx: PgStoreContext) {}

  upsertProducts(items: ReadonlyArray<Stored<Product, UpstreamProduct>>, syncedAt: Date): Promise<void> {
    const { customerId } = this.ctx;
    return inTransaction(this.ctx, async (client) => {
      for (const { entity: p, raw } of items) {
        await client.query({
          name: 'testio-upsert-product',
          text: UPSERT_PRODUCT,
          values: [
            customerId,
            p.id,
            p.title,
            p.type,
            p.description,
            p.default_section_id,
            p.has_sections,
            rawJson(raw),
            syncedAt,
          ],
        });
        await client.query(
          'DELETE FROM sections WHERE customer_id = $1 AND product_id = $2 AND NOT (id = ANY($3::int[]))',
          [customerId, p.id, ids(p.sections.map((s) => s.id))],
        );
        for (const s of p.sections) {
          await client.query({
            name: 'testio-upsert-section',
            text: UPSERT_SECTION,
            values: [customerId, s.id, p.id, s.name, rawJson(rawSection(raw, s.id))],
          });
        }
      }
    });
  }

  deleteProductsExcept(keepIds: readonly number[]): Promise<number[]> {
    const { customerId } = this.ctx;
    return inTransaction(this.ctx, async (client) => {
      const { rows } = await client.query<{ id: number }>(
        'DELETE FROM products WHERE customer_id = $1 AND NOT (id = ANY($2::int[])) RETURNING id',
        [customerId, ids(keepIds)],
      );
      const deleted = rows.map((r) => r.id).sort((a, b) => a - b);
      if (deleted.length > 0) {
        await client.query(
          'DELETE FROM problematic_ranges WHERE customer_id = $1 AND product_id = ANY($2::int[])',
          [customerId, deleted],
        );
      }
      return deleted;
    });
  }

  async listProductSyncStates(productIds?: readonly number[]): Promise<ProductSyncState[]> {
    const { customerId } = this.ctx;
    const { rows } =
      productIds === undefined
        ? await query<SyncStateRow>(
            this.ctx,
            `SELECT ${SYNC_STATE_COLUMNS} FROM products WHERE customer_id = $1 ORDER BY id`,
            [customerId],
          )
        : await query<SyncStateRow>(
            this.ctx,
            `SELECT ${SYNC_STATE_COLUMNS} FROM products WHERE customer_id = $1 AND id = ANY($2::int[]) ORDER BY id`,
            [customerId, ids(productIds)],
          );
    return rows.map(toSyncState);
  }

  async markTestsWalked(productId: number, at: Date, complete: boolean): Promise<void> {
    const result = await query(
      this.ctx,
      `UPDATE products SET tests_synced_at = $1, last_full_sync_at = CASE WHEN $2::boolean THEN $1 ELSE last_full_sync_at END
       WHERE customer_id = $3 AND id = $4`,
      [at, complete, this.ctx.customerId, productId],
    );
    if (result.rowCount === 0) throw new ProductNotFoundError(productId);
  }
}
