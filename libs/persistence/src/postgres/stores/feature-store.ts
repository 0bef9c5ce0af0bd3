import {
  type Feature,
  type FeatureStore,
  ProductNotFoundError,
  type Stored,
  type UpstreamFeature,
  type UpstreamUserStory,
  type UserStory,
} from '@testio-mcp/domain';
import { rawJson } from '../../secrets.js';
import { ids, inTransaction, json, type PgStoreContext, query } from './context.js';

const UPSERT_FEATURE = `
INSERT INTO features (customer_id, id, product_id, title, description, howtofind, section_ids, user_stories, raw, synced_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (customer_id, id) DO UPDATE SET
  product_id = excluded.product_id, title = excluded.title, description = excluded.description,
  howtofind = excluded.howtofind, section_ids = excluded.section_ids, user_stories = excluded.user_stories,
  raw = excluded.raw, synced_at = excluded.synced_at`;

const UPSERT_USER_STORY = `
INSERT INTO user_stories (customer_id, id, product_id, section_id, feature_id, title, path, raw, synced_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (customer_id, id) DO UPDATE SET
  product_id = excluded.product_id, section_id = excluded.section_id, feature_id = excluded.feature_id,
  title = excluded.title, path = excluded.path, raw = excluded.raw, synced_at = excluded.synced_at`;

/** The PostgreSQL `FeatureStore` (see the SQLite store for the semantics). */
export class PgFeatureStore implements FeatureStore {
  constructor(private readonly ctx: PgStoreContext) {}

  replaceProductFeatures(
    productId: number,
    features: ReadonlyArray<Stored<Feature, UpstreamFeature>>,
    userStories: ReadonlyArray<Stored<UserStory, UpstreamUserStory>>,
    syncedAt: Date,
  ): Promise<{ upserted: number; deleted: number }> {
    const { customerId } = this.ctx;
    return inTransaction(this.ctx, async (client) => {
      // Locks the product row: a concurrent delete of the product waits for this replacement.
      const product = await client.query(
        'SELECT 1 FROM products WHERE customer_id = $1 AND id = $2 FOR UPDATE',
        [customerId, productId],
      );
      if (product.rowCount === 0) throw new ProductNotFoundError(productId);

      const featureIds = new Set(features.map((f) => f.entity.id));
      const deleted =
        (
          await client.query(
            'DELETE FROM features WHERE customer_id = $1 AND product_id = $2 AND NOT (id = ANY($3::int[]))',
            [customerId, productId, [...featureIds]],
          )
        ).rowCount ?? 0;
      for (const { entity: f, raw } of features) {
        await client.query({
          name: 'testio-upsert-feature',
          text: UPSERT_FEATURE,
          values: [
            customerId,
            f.id,
            productId,
            f.title,
            f.description,
            f.howtofind,
            json(f.section_ids),
            json(f.user_stories),
            rawJson(raw),
            syncedAt,
          ],
        });
      }

      await client.query(
        'DELETE FROM user_stories WHERE customer_id = $1 AND product_id = $2 AND NOT (id = ANY($3::int[]))',
        [customerId, productId, ids(userStories.map((s) => s.entity.id))],
      );
      for (const { entity: s, raw } of userStories) {
        await client.query({
          name: 'testio-upsert-user-story',
          text: UPSERT_USER_STORY,
          values: [
            customerId,
            s.id,
            productId,
            s.section_id,
            s.feature_id,
            s.title,
            s.path,
            rawJson(raw),
            syncedAt,
          ],
        });
      }

      await client.query('UPDATE products SET features_synced_at = $1 WHERE customer_id = $2 AND id = $3', [
        syncedAt,
        customerId,
        productId,
      ]);
      return { upserted: featureIds.size, deleted };
    });
  }

  async findMissingFeatureIds(featureIds: readonly number[]): Promise<number[]> {
    const { rows } = await query<{ id: number }>(
      this.ctx,
      `SELECT DISTINCT f.id FROM unnest($1::int[]) AS f(id)
       WHERE f.id NOT IN (SELECT id FROM features WHERE customer_id = $2) ORDER BY f.id`,
      [ids(featureIds), this.ctx.customerId],
    );
    return rows.map((r) => r.id);
  }
}
