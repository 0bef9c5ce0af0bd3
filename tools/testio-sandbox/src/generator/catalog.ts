import { DEFAULT_SECTION_NAME, PRODUCT_TYPES, type ProductType } from '@testio-mcp/domain';
import type { SandboxScale } from '../types.js';
import { Rng, STREAM, rngFor } from './prng.js';
import { SCALE_CONFIG } from './scales.js';
import {
  BRANDS,
  CUSTOM_REPORT_CONFIGURATION,
  FEATURE_AREAS,
  FEATURE_GROUPS,
  PERSONAS,
  PRODUCT_KINDS,
  STORY_TEMPLATES,
} from './vocabulary.js';

/** The slow-changing part of an account: products and everything hanging off them except tests. */

export interface ConnectionJson {
  id: number;
  name: string;
  url: string;
  fixed: boolean;
}

export interface SectionJson {
  id: number;
  name: string;
  connection: ConnectionJson | null;
  test_templates: { total: number; count: number };
}

export interface ProductJson {
  id: number;
  name: string;
  description: string | null;
  type: ProductType;
  default_section_id: number;
  sections: SectionJson[];
  sections_with_default: SectionJson[];
  connection: ConnectionJson | null;
  remote_device_testing: boolean;
}

export interface StoryRecord {
  id: number;
  path: string;
  featureId: number;
  productId: number;
}

export interface FeatureRecord {
  id: number;
  title: string;
  description: string | null;
  howtofind: string | null;
  stories: StoryRecord[];
  /** Real sections this feature is linked to; empty on legacy products. */
  sectionIds: number[];
  hasCustomReport: boolean;
}

export interface FeatureJson {
  id: number;
  title: string;
  description: string | null;
  howtofind: string | null;
  user_stories: string[];
}

export interface TestEnvironmentJson {
  id: number;
  title: string;
  url: string;
  username: string;
  password: string;
  access: string;
  proxy: boolean;
  allow_orders: boolean;
  access_type: 'url';
  environment_test_information: {
    id: number;
    page_url: string;
    description: string;
    data_type: 'custom';
  } | null;
  binary_app: { id: number; filename: string; file_size: number } | null;
}

export interface TestTemplateJson {
  id: number;
  title: string;
  test_scenario_template: 'ExploratoryTest';
  max_test_duration: number;
  min_test_duration: number;
  default_test_duration: number;
}

export interface ProductRecord {
  id: number;
  index: number;
  json: ProductJson;
  hasSections: boolean;
  /** `sections_with_default` entries; a test's section is an index into this list. */
  sectionSlots: SectionJson[];
  features: FeatureRecord[];
  environments: TestEnvironmentJson[];
  templates: Array<{ json: TestTemplateJson; sectionId: number | null }>;
  /** Relative share of the account's tests. */
  weight: number;
  /** Whether a test may draw each feature, per section slot. */
  featuresBySlot: FeatureRecord[][];
}

export interface Catalog {
  products: ProductRecord[];
  productsById: Map<number, ProductRecord>;
  featuresById: Map<number, FeatureRecord>;
  storiesById: Map<number, StoryRecord>;
}

const SECTION_NAMES = [
  'Desktop Web',
  'Mobile Web',
  'iOS',
  'Android',
  'Checkout Redesign',
  'Account Area',
  'Beta',
  'Partner Portal',
] as const;

export function generateCatalog(seed: number, scale: SandboxScale): Catalog {
  const config = SCALE_CONFIG[scale];
  const rng = rngFor(seed, STREAM.catalog);
  const ids = new IdSequences(rng);

  const productIds = distinctSorted(rng, config.products, 300, 26_000);
  const sectioned = productIds.map(() => rng.chance(0.4));
  // Every scale needs both shapes: clients branch on them.
  if (!sectioned.includes(true)) sectioned[sectioned.length > 1 ? 1 : 0] = true;
  if (!sectioned.includes(false)) sectioned[0] = false;

  const weightOrder = rng.sample(
    productIds.map((_, index) => index),
    productIds.length,
  );
  const brands = rng.sample(BRANDS, config.products);

  const products = productIds.map((id, index): ProductRecord => {
    const rank = weightOrder.indexOf(index);
    const weight = 1 / Math.pow(rank + 1, config.productSkew);
    return buildProduct(rng, ids, {
      id,
      index,
      weight,
      brand: brands[index % brands.length] ?? 'Acme',
      hasSections: sectioned[index] ?? false,
      featureRange: config.featuresPerProduct,
    });
  });

  const featuresById = new Map<number, FeatureRecord>();
  const storiesById = new Map<number, StoryRecord>();
  for (const product of products) {
    for (const feature of product.features) {
      featuresById.set(feature.id, feature);
      for (const story of feature.stories) storiesById.set(story.id, story);
    }
  }
  return { products, productsById: new Map(products.map((p) => [p.id, p])), featuresById, storiesById };
}

class IdSequences {
  section: number;
  feature: number;
  story: number;
  environment: number;
  template: number;
  connection: number;

  constructor(private readonly rng: Rng) {
    this.section = 21_000 + rng.int(0, 800);
    this.feature = 177_000 + rng.int(0, 2_000);
    this.story = 60_000 + rng.int(0, 500);
    this.environment = 3_000 + rng.int(0, 300);
    this.template = 400 + rng.int(0, 100);
    this.connection = 30 + rng.int(0, 20);
  }

  /** Gaps between ids: the account shares id spaces with every other TestIO customer. */
  step(
    kind: 'section' | 'feature' | 'story' | 'environment' | 'template' | 'connection',
    maxGap: number,
  ): number {
    this[kind] += this.rng.int(1, maxGap);
    return this[kind];
  }
}

function distinctSorted(rng: Rng, count: number, min: number, max: number): number[] {
  const seen = new Set<number>();
  while (seen.size < count) seen.add(rng.int(min, max));
  return [...seen].sort((a, b) => a - b);
}

interface ProductSeed {
  id: number;
  index: number;
  weight: number;
  brand: string;
  hasSections: boolean;
  featureRange: readonly [number, number];
}

function buildProduct(rng: Rng, ids: IdSequences, seed: ProductSeed): ProductRecord {
  const type = rng.weighted<ProductType>(
    PRODUCT_TYPES.map((t) => [
      t,
      t === 'website' ? 5 : t.startsWith('mobile_app_i') || t === 'mobile_app_android' ? 2 : 1,
    ]),
  );
  const name = `${seed.brand} ${rng.pick(PRODUCT_KINDS[type])}`;
  const connection: ConnectionJson | null = rng.chance(0.25)
    ? {
        id: ids.step('connection', 9),
        name: `${seed.brand} Jira`,
        url: `https://${seed.brand.toLowerCase()}.atlassian.net`,
        fixed: false,
      }
    : null;

  const templateCount = rng.int(0, 3);
  const defaultSection: SectionJson = {
    id: ids.step('section', 60),
    name: DEFAULT_SECTION_NAME,
    connection: null,
    test_templates: { total: 20, count: seed.hasSections ? 0 : templateCount },
  };
  const sections: SectionJson[] = seed.hasSections
    ? rng.sample(SECTION_NAMES, rng.int(2, 4)).map((sectionName) => ({
        id: ids.step('section', 3),
        name: sectionName,
        connection: null,
        test_templates: { total: 20, count: rng.int(0, 2) },
      }))
    : [];

  const json: ProductJson = {
    id: seed.id,
    name,
    description: rng.chance(0.3) ? null : `${name}: ${rng.pick(PRODUCT_BLURBS)}`,
    type,
    default_section_id: defaultSection.id,
    sections,
    sections_with_default: [defaultSection, ...sections],
    connection,
    remote_device_testing: rng.chance(0.2),
  };

  const features = buildFeatures(rng, ids, seed, sections);
  const sectionSlots = json.sections_with_default;
  const featuresBySlot = sectionSlots.map((section) =>
    seed.hasSections ? features.filter((f) => f.sectionIds.includes(section.id)) : features,
  );

  const environments = Array.from({ length: rng.int(1, 3) }, (_, n) =>
    buildEnvironment(rng, ids, type, seed.brand, n),
  );
  const templates = Array.from({ length: seed.hasSections ? rng.int(0, 3) : templateCount }, (_, n) => ({
    sectionId: seed.hasSections && rng.chance(0.5) ? rng.pick(sections).id : null,
    json: {
      id: ids.step('template', 25),
      title: `${rng.pick(['Weekly Regression', 'Release Check', 'Payment Focus', 'Smoke Test'])} ${n + 1}`,
      test_scenario_template: 'ExploratoryTest' as const,
      max_test_duration: 48,
      min_test_duration: 2,
      default_test_duration: rng.pick([2, 24, 28]),
    },
  }));

  return {
    id: seed.id,
    index: seed.index,
    json,
    hasSections: seed.hasSections,
    sectionSlots,
    features,
    environments,
    templates,
    weight: seed.weight,
    featuresBySlot,
  };
}

const PRODUCT_BLURBS = [
  'the main customer-facing product.',
  'relaunch with a new design system.',
  'B2C storefront for the DACH market.',
  'self-service area for existing customers.',
  'flagship app, released every two weeks.',
] as const;

function buildFeatures(
  rng: Rng,
  ids: IdSequences,
  seed: ProductSeed,
  sections: SectionJson[],
): FeatureRecord[] {
  const count = rng.int(seed.featureRange[0], seed.featureRange[1]);
  const areas: string[] = rng.sample(FEATURE_AREAS, Math.min(count, FEATURE_AREAS.length));
  // More features than areas: number the extra ones, as customers do ("Checkout 2").
  while (areas.length < count) areas.push(`${rng.pick(FEATURE_AREAS)} ${areas.length + 1}`);

  const usedPaths = new Set<string>();
  const features = areas.map((area): FeatureRecord => {
    const title = rng.chance(0.15) ? `[${rng.pick(FEATURE_GROUPS)}] ${area}` : area;
    const id = ids.step('feature', 400);
    const stories: StoryRecord[] = [];
    const wanted = rng.int(1, 6);
    for (const template of rng.sample(STORY_TEMPLATES, wanted)) {
      const path = template.replace('{f}', area.toLowerCase()).replace('{p}', rng.pick(PERSONAS));
      // Stories join to features only by exact title, so keep them unique within a product.
      if (usedPaths.has(path)) continue;
      usedPaths.add(path);
      stories.push({ id: ids.step('story', 3), path, featureId: id, productId: seed.id });
    }
    const linked =
      sections.length === 0 ? [] : rng.sample(sections, rng.chance(0.3) ? 2 : 1).map((section) => section.id);
    return {
      id,
      title,
      description: rng.chance(0.1) ? null : `Verify that ${area.toLowerCase()} works as expected.`,
      howtofind: rng.chance(0.15)
        ? null
        : `Open the ${rng.pick(['main menu', 'footer', 'account page', 'home screen'])} and go to ${area}.`,
      stories,
      sectionIds: linked,
      hasCustomReport: rng.chance(0.08),
    };
  });

  // A section nobody linked a feature to would leave its tests without features.
  for (const section of sections) {
    if (!features.some((f) => f.sectionIds.includes(section.id)))
      rng.pick(features).sectionIds.push(section.id);
  }
  return features;
}

function buildEnvironment(
  rng: Rng,
  ids: IdSequences,
  type: ProductType,
  brand: string,
  n: number,
): TestEnvironmentJson {
  const host = `${brand.toLowerCase()}.example.com`;
  const isApp = type !== 'website';
  const id = ids.step('environment', 40);
  return {
    id,
    title: [`Production`, `Staging`, `Release Candidate`][n] ?? `Environment ${n + 1}`,
    url: n === 0 ? `https://www.${host}/` : `https://staging-${n}.${host}/`,
    username: n === 0 ? '' : 'tester',
    password: n === 0 ? '' : 'sandbox-secret',
    access: rng.chance(0.3)
      ? `https://access.claims/pages/${rng.int(100, 999)}`
      : n === 0
        ? ''
        : 'Use the staging credentials above.',
    proxy: rng.chance(0.1),
    allow_orders: rng.chance(0.2),
    access_type: 'url',
    environment_test_information: rng.chance(0.2)
      ? {
          id: id * 3,
          page_url: `https://www.${host}/test-info`,
          description: 'Test information description',
          data_type: 'custom',
        }
      : null,
    binary_app:
      isApp && rng.chance(0.6)
        ? {
            id: id * 2,
            filename: `${brand}-${rng.int(1, 9)}.${rng.int(0, 20)}.${type === 'mobile_app_ios' ? 'ipa' : 'apk'}`,
            file_size: rng.int(20, 400) * 1_048_576,
          }
        : null,
  };
}

export function featureJson(feature: FeatureRecord): FeatureJson {
  return {
    id: feature.id,
    title: feature.title,
    description: feature.description,
    howtofind: feature.howtofind,
    user_stories: feature.stories.map((s) => s.path),
  };
}

export const CUSTOM_REPORT = CUSTOM_REPORT_CONFIGURATION;
