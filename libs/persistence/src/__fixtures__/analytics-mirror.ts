import {
  BUG_SEVERITIES,
  EXECUTED_TEST_STATUSES,
  REJECTION_REASONS,
  TESTING_TYPES,
  type SyncStores,
} from '@testio-mcp/domain';
import { bug, feature, product, test } from './entities.js';

/**
 * A seeded random mirror for the analytics equality tests, written through the SyncStores write ports
 * (so the same input lands on either engine, with its derived counts and aggregates kept by the
 * engine's own triggers). It covers what the statements distinguish: products whose titles sort
 * differently by bytes and by locale, tests with and without features, requirements, end dates (week
 * and year boundaries), creators and environments; bugs of every status and severity, known or not,
 * rejected with and without a reason, with and without an author, a feature link, devices (several
 * systems, one twice, none, a device without a system).
 */

/** Mulberry32: a fixed seed, so a failure names a query that fails again. */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Up to `max` distinct items, at least one. */
export function some<T>(random: () => number, items: readonly T[], max: number): T[] {
  const n = 1 + Math.floor(random() * Math.min(max, items.length));
  const left = [...items];
  const out: T[] = [];
  while (out.length < n) out.push(...left.splice(Math.floor(random() * left.length), 1));
  return out;
}

export const MIRROR_PRODUCTS = [
  { id: 1, name: 'Web shop' },
  { id: 2, name: 'app' },
  { id: 3, name: 'Ärger-Tracker' },
  { id: 4, name: 'Zeta' },
] as const;
export const MIRROR_SYSTEMS = ['Windows', 'iOS', 'Android', 'macOS', 'linux'] as const;
export const MIRROR_TESTERS = ['tom', 'uma', 'Ben', 'ada', 'Émile'] as const;

const END_DATES = [
  '2024-01-01T00:30:00Z',
  '2024-06-30T23:59:59Z',
  '2024-12-29T12:00:00Z',
  '2024-12-30T08:00:00Z',
  '2025-01-01T10:00:00Z',
  '2025-01-05T22:00:00Z',
  '2025-01-06T02:00:00Z',
  '2025-03-31T23:30:00Z',
  '2025-04-01T00:00:00Z',
  '2025-09-14T10:00:00Z',
  null,
] as const;

export interface MirrorShape {
  readonly testIds: number[];
  readonly bugIds: number[];
}

export async function fillAnalyticsMirror(
  stores: SyncStores,
  options: { seed: number; tests: number; at: Date },
): Promise<MirrorShape> {
  const random = rng(options.seed);
  const at = options.at;
  await stores.products.upsertProducts(
    MIRROR_PRODUCTS.map((p) => product(p.id, { name: p.name })),
    at,
  );
  // Features 501..: three per product; the last product's catalogue is left unsynced (labels fall back).
  const featuresOf = new Map<number, number[]>();
  for (const p of MIRROR_PRODUCTS) {
    const ids = [0, 1, 2].map((k) => 500 + p.id * 10 + k);
    featuresOf.set(p.id, ids);
    if (p.id !== 4) {
      const titles = ['Checkout', 'login', 'Search'];
      await stores.features.replaceProductFeatures(
        p.id,
        ids.map((id, k) => feature(id, p.id, { title: `${titles[k] ?? 'F'} ${p.id}` })),
        [],
        at,
      );
    }
  }
  const testIds: number[] = [];
  const bugIds: number[] = [];
  for (let i = 0; i < options.tests; i += 1) {
    const id = 100 + i;
    const productId = pick(random, MIRROR_PRODUCTS).id;
    const productFeatures = featuresOf.get(productId) ?? [];
    const testFeatures =
      random() < 0.2
        ? []
        : some(random, productFeatures, 3).map((featureId, k) => ({
            id: id * 100 + k,
            feature_id: featureId,
            title: `Feature ${featureId}`,
          }));
    const requirements =
      random() < 0.2
        ? []
        : some(random, MIRROR_SYSTEMS, 2).map((name) => ({
            category: { id: 1, key: 'computer', name: 'Computers' },
            operating_system: { id: 3, key: name.toLowerCase(), name },
            browsers: [],
          }));
    const endAt = pick(random, END_DATES);
    const environment = pick(random, [
      { id: 7, title: 'Staging', url: 'https://staging.example.com' },
      { id: 8, title: 'production', url: 'https://example.com' },
      null,
    ]);
    await stores.tests.upsertTests(
      [
        test(id, productId, {
          status: pick(random, [...EXECUTED_TEST_STATUSES, 'initialized']),
          testing_type: pick(random, TESTING_TYPES),
          end_at: endAt,
          start_at: endAt,
          created_by: pick(random, ['anna', 'Bob', null]),
          submitted_by: pick(random, ['anna', null]),
          test_environment: environment ?? undefined,
          features: testFeatures,
          requirements,
        }),
      ],
      at,
    );
    testIds.push(id);
    const bugs = [];
    const count = Math.floor(random() * 7);
    for (let k = 0; k < count; k += 1) {
      const bugId = id * 100 + k;
      const status = pick(random, ['accepted', 'accepted', 'rejected', 'forwarded', 'unknown']);
      const reason = pick(random, [...Object.values(REJECTION_REASONS), null]);
      const link = random() < 0.7 && testFeatures.length > 0 ? pick(random, testFeatures) : null;
      const devices = Array.from({ length: Math.floor(random() * 4) }, () => ({
        category: { name: 'Smartphones' },
        ...(random() < 0.9 ? { operating_system: { name: pick(random, MIRROR_SYSTEMS) } } : {}),
        browsers: [],
      }));
      bugs.push(
        bug(bugId, id, {
          status,
          auto_accepted: random() < 0.4,
          severity: pick(random, [...BUG_SEVERITIES, 'high', 'low']),
          known: random() < 0.2,
          author: random() < 0.9 ? { name: pick(random, MIRROR_TESTERS) } : undefined,
          test_feature: link ? { id: link.id, feature_id: link.feature_id } : null,
          devices,
          comments: reason ? [{ body: `Rejected: ${reason}` }] : [],
        }),
      );
      bugIds.push(bugId);
    }
    await stores.bugs.replaceBugsOfTests([id], bugs, at);
  }
  return { testIds, bugIds };
}
