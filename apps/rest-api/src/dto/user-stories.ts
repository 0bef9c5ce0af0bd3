import type { Freshness, Pagination } from './common.js';

export interface UserStoryItem {
  /** @example "As a shopper I can pay with a saved card" */
  title: string;
  /** Catalogue feature id. */
  feature_id: number;
  feature_title: string;
}

/** User stories grouped by feature; pagination counts features (with stories), not stories. */
export interface UserStoriesResponse extends Freshness {
  product_id: number;
  /** The feature asked for, or null for all features of the product. */
  feature_id: number | null;
  user_stories: UserStoryItem[];
  /** Stories on this page. */
  total: number;
  /** Over the product's features that have user stories. */
  pagination: Pagination;
  /** Features listing only their first 50 stories here (see GET /api/features/{feature_id}/summary). */
  truncated_feature_ids: number[];
}
