import { TESTING_TYPES, type TestingType } from '@testio-mcp/domain';
import { DAY_MS, HOUR_MS, UTC_OFFSETS_MINUTES, floorToHour } from '../clock.js';
import type { SandboxScale } from '../types.js';
import type { Catalog } from './catalog.js';
import { Rng, STREAM, rngFor } from './prng.js';
import { SCALE_CONFIG } from './scales.js';

/**
 * Every test of the account in column form: a handful of numbers per test. Everything else about a test
 * (title, features, requirements, its bugs) is re-derived from (seed, test id) when asked for.
 */
export interface TestTable {
  count: number;
  /** Ascending: ids follow creation order, as on the real platform. */
  ids: Int32Array;
  productIndex: Uint16Array;
  /** Index into the product's `sections_with_default`. */
  sectionSlot: Uint8Array;
  testingType: Uint8Array;
  offsetIndex: Uint8Array;
  createdAt: Float64Array;
  startAt: Float64Array;
  endAt: Float64Array;
  /** NaN unless the test gets cancelled. */
  cancelAt: Float64Array;
  lockedUntil: Float64Array;
  archivedAt: Float64Array;
  bugCount: Uint16Array;
  /** bugOffset[i] = bugs of tests before i; bug ids are `bugIdBase + bugOffset[i] + k`. */
  bugOffset: Float64Array;
  bugIdBase: number;
  /** Per product: test indices newest first (start_at desc, id desc; end_at descends too). */
  byProduct: Int32Array[];
}

export const TEST_DURATION_HOURS: Record<TestingType, number> = {
  rapid: 2,
  focused: 24,
  usability: 24,
  coverage: 28,
  custom: 48,
};

const HISTORY_MS = 730 * DAY_MS;

type PlantedStatus = 'running' | 'locked' | 'customer_finalized' | 'initialized' | 'waiting' | 'cancelled';

/**
 * Tests pinned near the anchor so that even `demo` shows every status. Times are relative to the anchor;
 * starts lie far enough back that earlier tests of the same product cannot push their end past the anchor.
 */
interface Planted {
  status: PlantedStatus;
  createdAgo: number;
  startFromAnchor: number;
  type: TestingType;
  lockedUntil?: number;
  archivedAt?: number;
  cancelAt?: number;
  minBugs?: number;
}

const PLANTED: readonly Planted[] = [
  { status: 'running', createdAgo: 3 * DAY_MS, startFromAnchor: -6 * HOUR_MS, type: 'coverage', minBugs: 12 },
  {
    status: 'running',
    createdAgo: 4 * DAY_MS,
    startFromAnchor: -20 * HOUR_MS,
    type: 'usability',
    minBugs: 8,
  },
  { status: 'running', createdAgo: 1 * DAY_MS, startFromAnchor: -1 * HOUR_MS, type: 'rapid', minBugs: 4 },
  {
    status: 'locked',
    createdAgo: 6 * DAY_MS,
    startFromAnchor: -3 * DAY_MS,
    type: 'coverage',
    lockedUntil: 1 * DAY_MS,
    minBugs: 10,
  },
  {
    status: 'locked',
    createdAgo: 7 * DAY_MS,
    startFromAnchor: -4 * DAY_MS,
    type: 'focused',
    lockedUntil: 3 * DAY_MS,
    minBugs: 6,
  },
  {
    status: 'customer_finalized',
    createdAgo: 11 * DAY_MS,
    startFromAnchor: -8 * DAY_MS,
    type: 'coverage',
    archivedAt: 2 * DAY_MS,
    minBugs: 10,
  },
  {
    status: 'customer_finalized',
    createdAgo: 15 * DAY_MS,
    startFromAnchor: -12 * DAY_MS,
    type: 'focused',
    archivedAt: 6 * DAY_MS,
    minBugs: 5,
  },
  { status: 'initialized', createdAgo: 2 * DAY_MS, startFromAnchor: 3 * DAY_MS, type: 'coverage' },
  { status: 'initialized', createdAgo: 1 * DAY_MS, startFromAnchor: 5 * DAY_MS, type: 'focused' },
  { status: 'waiting', createdAgo: 1 * DAY_MS, startFromAnchor: 10 * HOUR_MS, type: 'rapid' },
  {
    status: 'cancelled',
    createdAgo: 5 * DAY_MS,
    startFromAnchor: 2 * DAY_MS,
    type: 'coverage',
    cancelAt: -1 * DAY_MS,
  },
  {
    status: 'cancelled',
    createdAgo: 20 * DAY_MS,
    startFromAnchor: -14 * DAY_MS,
    type: 'usability',
    cancelAt: -16 * DAY_MS,
  },
];

interface Draft {
  order: number;
  createdAt: number;
  leadMs: number;
  productIndex: number;
  planted: Planted | null;
}

export function generateSchedule(
  seed: number,
  scale: SandboxScale,
  anchorMs: number,
  catalog: Catalog,
): TestTable {
  const config = SCALE_CONFIG[scale];
  const rng = rngFor(seed, STREAM.schedule);
  const productWeights = catalog.products.map((p) => [p.index, p.weight] as const);

  const futureCount = Math.max(6, Math.round(config.tests * 0.02));
  const historicalCount = config.tests - PLANTED.length - futureCount;
  const drafts: Draft[] = [];

  for (let n = 0; n < historicalCount; n++) {
    // Accounts grow: more tests lately than two years ago.
    const age = HISTORY_MS * Math.pow(rng.next(), 1.4) + HOUR_MS;
    drafts.push({
      order: drafts.length,
      createdAt: anchorMs - Math.floor(age / 60_000) * 60_000,
      leadMs: rng.int(2, 7 * 24) * HOUR_MS,
      productIndex: rng.weighted(productWeights),
      planted: null,
    });
  }
  PLANTED.forEach((planted, n) => {
    drafts.push({
      order: drafts.length,
      createdAt: anchorMs - planted.createdAgo,
      leadMs: planted.createdAgo + planted.startFromAnchor,
      productIndex: n % catalog.products.length,
      planted,
    });
  });
  for (let n = 0; n < futureCount; n++) {
    // Quadratic spacing: a few tests appear within the first day after the anchor, the rest over a month.
    const at = 30 * DAY_MS * Math.pow((n + 0.5) / futureCount, 2);
    drafts.push({
      order: drafts.length,
      createdAt: anchorMs + Math.floor(at / 60_000) * 60_000,
      leadMs: rng.int(6, 5 * 24) * HOUR_MS,
      productIndex: rng.weighted(productWeights),
      planted: null,
    });
  }
  drafts.sort((a, b) => a.createdAt - b.createdAt || a.order - b.order);

  const count = drafts.length;
  const table: TestTable = {
    count,
    ids: new Int32Array(count),
    productIndex: new Uint16Array(count),
    sectionSlot: new Uint8Array(count),
    testingType: new Uint8Array(count),
    offsetIndex: new Uint8Array(count),
    createdAt: new Float64Array(count),
    startAt: new Float64Array(count),
    endAt: new Float64Array(count),
    cancelAt: new Float64Array(count).fill(Number.NaN),
    lockedUntil: new Float64Array(count),
    archivedAt: new Float64Array(count),
    bugCount: new Uint16Array(count),
    bugOffset: new Float64Array(count + 1),
    bugIdBase: 1_200_000 + rng.int(0, 90_000),
    byProduct: [],
  };

  let nextId = 90_000 + rng.int(0, 4_000);
  let historicalSeen = 0;
  drafts.forEach((draft, i) => {
    const product = catalog.products[draft.productIndex];
    if (!product) throw new Error(`no product at index ${draft.productIndex}`);
    table.ids[i] = nextId;
    nextId += rng.int(1, 4);
    table.productIndex[i] = draft.productIndex;
    table.sectionSlot[i] = product.hasSections ? rng.int(1, product.sectionSlots.length - 1) : 0;
    table.offsetIndex[i] = rng.weighted([
      [0, 0.35],
      [1, 0.3],
      [2, 0.35],
    ]);
    let type: TestingType;
    if (draft.planted) type = draft.planted.type;
    // The oldest tests cover every testing type, including the deprecated `custom`.
    else if (historicalSeen < TESTING_TYPES.length && draft.createdAt < anchorMs)
      type = TESTING_TYPES[historicalSeen] ?? 'coverage';
    else type = rng.weighted(TYPE_WEIGHTS);
    if (!draft.planted && draft.createdAt < anchorMs) historicalSeen++;
    table.testingType[i] = TESTING_TYPES.indexOf(type);
    table.createdAt[i] = draft.createdAt;
    const start = draft.planted
      ? anchorMs + draft.planted.startFromAnchor
      : floorToHour(draft.createdAt + draft.leadMs);
    table.startAt[i] = start;
    table.endAt[i] = start + TEST_DURATION_HOURS[type] * HOUR_MS;
  });

  table.byProduct = catalog.products.map(() => new Int32Array(0));
  const perProduct: number[][] = catalog.products.map(() => []);
  for (let i = 0; i < count; i++) perProduct[table.productIndex[i] ?? 0]?.push(i);
  perProduct.forEach((indices, productIndex) => {
    indices.sort((a, b) => (table.startAt[a] ?? 0) - (table.startAt[b] ?? 0) || a - b);
    // Clients check that start_at and end_at both descend down the list, so an overlapping test ends no
    // earlier than the one started before it.
    let latestEnd = -Infinity;
    for (const i of indices) {
      latestEnd = Math.max(latestEnd, table.endAt[i] ?? 0);
      table.endAt[i] = latestEnd;
    }
    table.byProduct[productIndex] = Int32Array.from(indices.reverse());
  });

  drafts.forEach((draft, i) => assignLifecycle(table, i, draft, rng, anchorMs, config.meanBugsPerTest));
  for (let i = 0; i < count; i++)
    table.bugOffset[i + 1] = (table.bugOffset[i] ?? 0) + (table.bugCount[i] ?? 0);
  return table;
}

const TYPE_WEIGHTS: ReadonlyArray<readonly [TestingType, number]> = [
  ['coverage', 45],
  ['focused', 25],
  ['rapid', 15],
  ['usability', 13],
  ['custom', 2],
];

function assignLifecycle(
  table: TestTable,
  i: number,
  draft: Draft,
  rng: Rng,
  anchorMs: number,
  meanBugs: number,
): void {
  const created = table.createdAt[i] ?? 0;
  const start = table.startAt[i] ?? 0;
  const end = table.endAt[i] ?? 0;
  const planted = draft.planted;

  const lockedUntil =
    planted?.lockedUntil !== undefined ? anchorMs + planted.lockedUntil : end + rng.int(24, 72) * HOUR_MS;
  table.lockedUntil[i] = Math.max(lockedUntil, end);
  const archivedAt =
    planted?.archivedAt !== undefined
      ? anchorMs + planted.archivedAt
      : (table.lockedUntil[i] ?? end) + rng.int(2, 14) * DAY_MS;
  table.archivedAt[i] = Math.max(archivedAt, table.lockedUntil[i] ?? end);

  let cancelled = false;
  if (planted?.cancelAt !== undefined) {
    table.cancelAt[i] = anchorMs + planted.cancelAt;
    cancelled = true;
  } else if (!planted && rng.chance(0.04)) {
    // Cancelled before it started: no tester ever saw it.
    table.cancelAt[i] = created + Math.floor(rng.next() * Math.max(0, start - created));
    cancelled = true;
  }

  if (cancelled) {
    table.bugCount[i] = 0;
    return;
  }
  const type = TESTING_TYPES[table.testingType[i] ?? 0];
  const factor = type === 'rapid' ? 0.4 : type === 'usability' ? 0.6 : 1;
  const drawn = Math.floor(-Math.log(1 - rng.next()) * meanBugs * factor * 1.3);
  table.bugCount[i] = Math.min(600, Math.max(drawn, planted?.minBugs ?? 0));
}

export function utcOffsetOf(table: TestTable, index: number): number {
  return UTC_OFFSETS_MINUTES[table.offsetIndex[index] ?? 0] ?? 0;
}

/** Binary search over the ascending ids; -1 when the id was never generated. */
export function indexOfTestId(table: TestTable, id: number): number {
  let lo = 0;
  let hi = table.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const value = table.ids[mid] ?? 0;
    if (value === id) return mid;
    if (value < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The test owning a bug id, or -1. */
export function indexOfBugId(table: TestTable, bugId: number): { test: number; k: number } | null {
  const ordinal = bugId - table.bugIdBase;
  const total = table.bugOffset[table.count] ?? 0;
  if (!Number.isInteger(ordinal) || ordinal < 0 || ordinal >= total) return null;
  let lo = 0;
  let hi = table.count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((table.bugOffset[mid] ?? 0) <= ordinal) lo = mid;
    else hi = mid - 1;
  }
  return { test: lo, k: ordinal - (table.bugOffset[lo] ?? 0) };
}
