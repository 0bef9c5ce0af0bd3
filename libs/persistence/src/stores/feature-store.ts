import {
  type Feature,
  type FeatureStore,
  ProductNotFoundError,
  type Stored,
  type UpstreamFeature,
  type UpstreamUserStory,
  type UserStory,
} from '@testio-mcp/domain';
import { prepared, writeTransaction } from '../sqlite.js';
import { rawJson } from '../secrets.js';
import { dbTime } from '../time.js';
import { idList, run, type StoreContext } from './context.js';

const UPSERT_FEATURE = `
INSERT INTO features (customer_id, id, product_id, title, description, howtofind, section_ids, user_stories, raw, synced_at)
VALUES (@customerId, @id, @productId, @title, @description, @howtofind, @sectionIds, @userStories, @raw, @syncedAt)
ON CONFLICT (customer_id, id) DO UPDATE SET
  product_id = excluded.product_id, title = excluded.title, description = excluded.description,
  howtofind = excluded.howtofind, section_ids = excluded.section_ids, user_stories = excluded.user_stories,
  raw = excluded.raw, synced_at = excluded.synced_at`;

const UPSERT_USER_STORY = `
INSERT INTO user_stories (customer_id, id, product_id, section_id, feature_id, title, path, raw, synced_at)
VALUES (@customerId, @id, @productId, @sectionId, @featureId, @title, @path, @raw, @syncedAt)
ON CONFLICT (customer_id, id) DO UPDATE SET
  product_id = excluded.product_id, section_id = excluded.section_id, feature_id = excluded.feature_id,
  title = excluded.title, path = excluded.path, raw = excluded.raw, synced_at = excluded.synced_at`;

export class SqliteFeatureStore implements FeatureStore {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * `upserted`/`deleted` count feature rows (user stories are replaced alongside but not counted). The
   * rows are stored under `productId`, whatever the entities say.
   */
  replaceProductFeatures(
    productId: number,
    features: ReadonlyArray<Stored<Feature, UpstreamFeature>>,
    userStories: ReadonlyArray<Stored<UserStory, UpstreamUserStory>>,
    syncedAt: Date,
  ): Promise<{ upserted: number; deleted: number }> {
    const { db, customerId } = this.ctx;
    const at = dbTime(syncedAt);
    return run(() =>
      writeTransaction(db, () => {
        const product = prepared(db, 'SELECT 1 FROM products WHERE customer_id = ? AND id = ?').get(
          customerId,
          productId,
        );
        if (!product) throw new ProductNotFoundError(productId);

        const featureIds = new Set(features.map((f) => f.entity.id));
        const deleted = prepared(
          db,
          'DELETE FROM features WHERE customer_id = ? AND product_id = ? AND id NOT IN (SELECT value FROM json_each(?))',
        ).run(customerId, productId, idList(featureIds)).changes;
        const upsertFeature = prepared(db, UPSERT_FEATURE);
        for (const { entity: f, raw } of features) {
          upsertFeature.run({
            customerId,
            id: f.id,
            productId,
            title: f.title,
            description: f.description,
            howtofind: f.howtofind,
            sectionIds: JSON.stringify(f.section_ids),
            userStories: JSON.stringify(f.user_stories),
            raw: rawJson(raw),
            syncedAt: at,
          });
        }

        prepared(
          db,
          'DELETE FROM user_stories WHERE customer_id = ? AND product_id = ? AND id NOT IN (SELECT value FROM json_each(?))',
        ).run(customerId, productId, idList(userStories.map((s) => s.entity.id)));
        const upsertStory = prepared(db, UPSERT_USER_STORY);
        for (const { entity: s, raw } of userStories) {
          upsertStory.run({
            customerId,
            id: s.id,
            productId,
            sectionId: s.section_id,
            featureId: s.feature_id,
            title: s.title,
            path: s.path,
            raw: rawJson(raw),
            syncedAt: at,
          });
        }

        prepared(db, 'UPDATE products SET features_synced_at = ? WHERE customer_id = ? AND id = ?').run(
          at,
          customerId,
          productId,
        );
        return { upserted: featureIds.size, deleted };
      }),
    );
  }

  findMissingFeatureIds(featureIds: readonly number[]): Promise<number[]> {
    const { db, customerId } = this.ctx;
    return run(() =>
      (
        prepared(
          db,
          `SELECT DISTINCT value AS id FROM json_each(?)
           WHERE value NOT IN (SELECT id FROM features WHERE customer_id = ?) ORDER BY value`,
        ).all(idList(featureIds), customerId) as { id: number }[]
      ).map((r) => r.id),
    );
  }
}
