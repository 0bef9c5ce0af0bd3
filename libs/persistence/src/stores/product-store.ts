import {
  type Product,
  ProductNotFoundError,
  type ProductStore,
  type ProductSyncState,
  type Stored,
  type UpstreamProduct,
  type UpstreamSection,
} from '@testio-mcp/domain';
import type { ProductRow } from '../rows.js';
import { prepared, writeTransaction } from '../sqlite.js';
import { rawJson } from '../secrets.js';
import { dbTime, fromDbTime } from '../time.js';
import { bit, idList, run, type StoreContext } from './context.js';

const UPSERT_PRODUCT = `
INSERT INTO products (customer_id, id, title, type, description, default_section_id, has_sections, raw, synced_at)
VALUES (@customerId, @id, @title, @type, @description, @defaultSectionId, @hasSections, @raw, @syncedAt)
ON CONFLICT (customer_id, id) DO UPDATE SET
  title = excluded.title, type = excluded.type, description = excluded.description,
  default_section_id = excluded.default_section_id, has_sections = excluded.has_sections,
  raw = excluded.raw, synced_at = excluded.synced_at`;

const DELETE_OTHER_SECTIONS = `
DELETE FROM sections WHERE customer_id = ? AND product_id = ? AND id NOT IN (SELECT value FROM json_each(?))`;

const UPSERT_SECTION = `
INSERT INTO sections (customer_id, id, product_id, name, raw) VALUES (@customerId, @id, @productId, @name, @raw)
ON CONFLICT (customer_id, id) DO UPDATE SET product_id = excluded.product_id, name = excluded.name, raw = excluded.raw`;

const DELETE_PRODUCTS_EXCEPT = `
DELETE FROM products WHERE customer_id = ? AND id NOT IN (SELECT value FROM json_each(?)) RETURNING id`;

const DELETE_RANGES_OF_PRODUCTS = `
DELETE FROM problematic_ranges WHERE customer_id = ? AND product_id IN (SELECT value FROM json_each(?))`;

const SYNC_STATE_COLUMNS =
  'id, title, has_sections, raw, features_synced_at, tests_synced_at, last_full_sync_at';

type SyncStateRow = Pick<
  ProductRow,
  'id' | 'title' | 'has_sections' | 'raw' | 'features_synced_at' | 'tests_synced_at' | 'last_full_sync_at'
>;

function toSyncState(row: SyncStateRow): ProductSyncState {
  return {
    id: row.id,
    title: row.title,
    hasSections: row.has_sections === 1,
    raw: JSON.parse(row.raw) as UpstreamProduct,
    featuresSyncedAt: fromDbTime(row.features_synced_at),
    testsSyncedAt: fromDbTime(row.tests_synced_at),
    lastFullSyncAt: fromDbTime(row.last_full_sync_at),
  };
}

export function rawSection(raw: UpstreamProduct, sectionId: number): UpstreamSection | { id: number } {
  return (
    raw.sections?.find((s) => s.id === sectionId) ??
    raw.sections_with_default?.find((s) => s.id === sectionId) ?? { id: sectionId }
  );
}

export class SqliteProductStore implements ProductStore {
  constructor(private readonly ctx: StoreContext) {}

  upsertProducts(items: ReadonlyArray<Stored<Product, UpstreamProduct>>, syncedAt: Date): Promise<void> {
    const { db, customerId } = this.ctx;
    const at = dbTime(syncedAt);
    return run(() =>
      writeTransaction(db, () => {
        const upsertProduct = prepared(db, UPSERT_PRODUCT);
        const deleteSections = prepared(db, DELETE_OTHER_SECTIONS);
        const upsertSection = prepared(db, UPSERT_SECTION);
        for (const { entity: p, raw } of items) {
          upsertProduct.run({
            customerId,
            id: p.id,
            title: p.title,
            type: p.type,
            description: p.description,
            defaultSectionId: p.default_section_id,
            hasSections: bit(p.has_sections),
            raw: rawJson(raw),
            syncedAt: at,
          });
          deleteSections.run(customerId, p.id, idList(p.sections.map((s) => s.id)));
          for (const s of p.sections) {
            upsertSection.run({
              customerId,
              id: s.id,
              productId: p.id,
              name: s.name,
              raw: rawJson(rawSection(raw, s.id)),
            });
          }
        }
      }),
    );
  }

  deleteProductsExcept(keepIds: readonly number[]): Promise<number[]> {
    const { db, customerId } = this.ctx;
    return run(() =>
      writeTransaction(db, () => {
        const deleted = (
          prepared(db, DELETE_PRODUCTS_EXCEPT).all(customerId, idList(keepIds)) as { id: number }[]
        )
          .map((r) => r.id)
          .sort((a, b) => a - b);
        if (deleted.length > 0) prepared(db, DELETE_RANGES_OF_PRODUCTS).run(customerId, idList(deleted));
        return deleted;
      }),
    );
  }

  listProductSyncStates(productIds?: readonly number[]): Promise<ProductSyncState[]> {
    const { db, customerId } = this.ctx;
    return run(() => {
      const rows =
        productIds === undefined
          ? prepared(db, `SELECT ${SYNC_STATE_COLUMNS} FROM products WHERE customer_id = ? ORDER BY id`).all(
              customerId,
            )
          : prepared(
              db,
              `SELECT ${SYNC_STATE_COLUMNS} FROM products WHERE customer_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id`,
            ).all(customerId, idList(productIds));
      return (rows as SyncStateRow[]).map(toSyncState);
    });
  }

  markTestsWalked(productId: number, at: Date, complete: boolean): Promise<void> {
    const { db, customerId } = this.ctx;
    const when = dbTime(at);
    return run(() => {
      const result = prepared(
        db,
        `UPDATE products SET tests_synced_at = ?, last_full_sync_at = CASE WHEN ? THEN ? ELSE last_full_sync_at END
         WHERE customer_id = ? AND id = ?`,
      ).run(when, complete ? 1 : 0, when, customerId, productId);
      if (result.changes === 0) throw new ProductNotFoundError(productId);
    });
  }
}
