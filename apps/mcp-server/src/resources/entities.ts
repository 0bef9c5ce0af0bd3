import type { ResourceLink } from '@modelcontextprotocol/server';
import {
  getBugSummaryInputSchema,
  getFeatureSummaryInputSchema,
  getProductSummaryInputSchema,
  getTestSummaryInputSchema,
  parseInput,
} from '@testio-mcp/services';
import { defineTemplate } from './define-resource.js';

/** Entity templates: each reads the same answer as its summary tool. */

export const productResource = defineTemplate({
  uriTemplate: 'testio://products/{id}',
  name: 'product',
  title: 'Product summary',
  description:
    'A product: tests per status, features, user stories and sync times (the answer of get_product_summary).',
  mimeType: 'application/json',
  entity: 'product',
  read: (id, { services }) =>
    services.getProductSummary(parseInput(getProductSummaryInputSchema, { product_id: id })),
});

export const testResource = defineTemplate({
  uriTemplate: 'testio://tests/{id}',
  name: 'test',
  title: 'Test summary',
  description: 'An exploratory test with its bug statistics and rates (the answer of get_test_summary).',
  mimeType: 'application/json',
  entity: 'test',
  read: (id, { services }) => services.getTestSummary(parseInput(getTestSummaryInputSchema, { test_id: id })),
});

export const featureResource = defineTemplate({
  uriTemplate: 'testio://features/{id}',
  name: 'feature',
  title: 'Feature summary',
  description:
    'A catalogue feature with its user stories, test and bug counts (the answer of get_feature_summary).',
  mimeType: 'application/json',
  entity: 'feature',
  read: (id, { services }) =>
    services.getFeatureSummary(parseInput(getFeatureSummaryInputSchema, { feature_id: id })),
});

export const bugResource = defineTemplate({
  uriTemplate: 'testio://bugs/{id}',
  name: 'bug',
  title: 'Bug summary',
  description: 'One bug with its test, product, reporter and feature (the answer of get_bug_summary).',
  mimeType: 'application/json',
  entity: 'bug',
  read: (id, { services }) => services.getBugSummary(parseInput(getBugSummaryInputSchema, { bug_id: id })),
});

export type EntityKind = 'product' | 'test' | 'feature' | 'bug';

const TEMPLATE_OF: Record<EntityKind, string> = {
  product: productResource.uriTemplate,
  test: testResource.uriTemplate,
  feature: featureResource.uriTemplate,
  bug: bugResource.uriTemplate,
};

/**
 * A `resource_link` to an entity's `testio://` resource, for results to point at what they are about: a
 * client can show it as a link and read it with resources/read. The title names the kind and id only:
 * entity titles are text written by testers and customers, kept inside the answer's fenced JSON.
 */
export function entityLink(kind: EntityKind, id: number): ResourceLink {
  return {
    type: 'resource_link',
    uri: TEMPLATE_OF[kind].replace('{id}', String(id)),
    name: `${kind}-${id}`,
    title: `${kind[0]?.toUpperCase()}${kind.slice(1)} ${id}`,
    mimeType: 'application/json',
  };
}
