import type { ResourceTemplate, StaticResource } from './define-resource.js';
import { bugResource, featureResource, productResource, testResource } from './entities.js';
import playbook from './playbook.js';
import programmaticAccess from './programmatic-access.js';

/** Fixed documents, in `resources/list` order. */
export const RESOURCES: readonly StaticResource[] = [playbook, programmaticAccess];

/** Entity templates, in `resources/templates/list` order. */
export const RESOURCE_TEMPLATES: readonly ResourceTemplate[] = [
  productResource,
  testResource,
  featureResource,
  bugResource,
];
