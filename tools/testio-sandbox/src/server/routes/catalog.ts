import { Router } from 'express';
import type { ProductRecord, StoryRecord } from '../../generator/catalog.js';
import { featureJson } from '../../generator/catalog.js';
import type { SandboxContext } from '../context.js';
import { HttpError, notFound, parseIdList, requireId, sendJson, singleQuery } from '../http.js';

/** Products and what hangs off them: features, user stories, environments, templates. */
export function catalogRoutes(context: SandboxContext): Router {
  const router = Router();
  const { catalog } = context.account;

  const productFrom = (raw: unknown): ProductRecord => {
    const product = catalog.productsById.get(requireId(raw, 'Product'));
    if (!product) throw notFound('Product');
    return product;
  };

  const storyJson = (story: StoryRecord) => ({ id: story.id, path: story.path, title: story.path });

  router.get('/products', (req, res) => {
    // The blueprint's `filter[product_ids]`; the exact encoding is unspecified, so accept the common ones.
    const filter = parseIdList(
      req.query['filter[product_ids]'] ?? req.query['filter[product_ids][]'],
      'filter[product_ids]',
    );
    const products = catalog.products
      .filter((p) => filter === null || filter.includes(p.id))
      .map((p) => p.json);
    sendJson(res, { products });
  });

  router.get('/products/:productId', (req, res) => {
    sendJson(res, { product: productFrom(req.params.productId).json });
  });

  router.get('/products/:productId/features', (req, res) => {
    const product = productFrom(req.params.productId);
    if (product.hasSections) {
      throw new HttpError(
        422,
        'This product has sections enabled; list features per section with /products/{product_id}/sections/{section_id}/features',
      );
    }
    sendJson(res, { features: product.features.map(featureJson) });
  });

  router.get('/products/:productId/sections/:sectionId/features', (req, res) => {
    const product = productFrom(req.params.productId);
    const sectionId = requireId(req.params.sectionId, 'Section');
    const slot = product.sectionSlots.findIndex((s) => s.id === sectionId);
    if (slot < 0) throw notFound('Section');
    // A sectioned product's default section holds no features of its own: an empty list is legitimate.
    const features = product.hasSections && slot === 0 ? [] : (product.featuresBySlot[slot] ?? []);
    sendJson(res, { features: features.map(featureJson) });
  });

  router.get('/products/:productId/user_stories', (req, res) => {
    const product = productFrom(req.params.productId);
    const rawSection = singleQuery(req.query['section_id']);
    if (rawSection === undefined || rawSection === '') {
      if (product.hasSections) throw new HttpError(400, 'section_id is required for products with sections');
      sendJson(res, { user_stories: product.features.flatMap((f) => f.stories.map(storyJson)) });
      return;
    }
    const sectionId = requireId(rawSection, 'Section');
    const slot = product.sectionSlots.findIndex((s) => s.id === sectionId);
    if (slot < 0) throw notFound('Section');
    const features = product.hasSections && slot === 0 ? [] : (product.featuresBySlot[slot] ?? []);
    sendJson(res, { user_stories: features.flatMap((f) => f.stories.map(storyJson)) });
  });

  router.get('/user_stories/:storyId', (req, res) => {
    const story = catalog.storiesById.get(requireId(req.params.storyId, 'User story'));
    if (!story) throw notFound('User story');
    // Bare on purpose: the one single-object read without a wrapper key.
    sendJson(res, storyJson(story));
  });

  router.get('/products/:productId/test_environments', (req, res) => {
    sendJson(res, { test_environments: productFrom(req.params.productId).environments });
  });

  router.get('/products/:productId/test_environments/:environmentId', (req, res) => {
    const product = productFrom(req.params.productId);
    const id = requireId(req.params.environmentId, 'Test environment');
    const environment = product.environments.find((e) => e.id === id);
    if (!environment) throw notFound('Test environment');
    sendJson(res, { test_environment: environment });
  });

  router.get('/test_templates', (req, res) => {
    const rawProduct = singleQuery(req.query['product_id']);
    if (rawProduct === undefined || rawProduct === '') throw new HttpError(400, 'product_id is missing');
    const product = productFrom(rawProduct);
    const rawSection = singleQuery(req.query['section_id']);
    const sectionId = rawSection === undefined || rawSection === '' ? null : requireId(rawSection, 'Section');
    if (sectionId !== null && !product.sectionSlots.some((s) => s.id === sectionId))
      throw notFound('Section');
    const templates = product.templates
      .filter((t) => sectionId === null || t.sectionId === null || t.sectionId === sectionId)
      .map((t) => t.json);
    sendJson(res, { test_templates: templates });
  });

  return router;
}
