/**
 * Compact `raw` payloads (docs/decisions/0006-storage.md, "Raw payloads").
 *
 * `raw` keeps what the API sent so nothing is lost, but not twice: a bug embeds its whole product, test
 * and feature, a test its product, features and requirements, and both repeat text that the row's typed
 * columns already hold. Before a payload is stored:
 *
 * - embedded objects that have their own rows are replaced by `{ "id": ... }` stubs (bug: `product`,
 *   `test`, `feature`; test: `product`, every element of `features` when each has a distinct id, the
 *   `test_features` rows keep them); a test's `requirements` become `"$test_platforms"` when the
 *   `test_platforms` rows hold them one to one (by position);
 * - fields whose value the typed columns reproduce exactly are left out, and the bits of `"$columns"`
 *   say which ones (bit i = the i-th field of the entity's list below). A field is only left out when
 *   re-attaching it gives the same JSON, so nothing is lost.
 *
 * `expand*Raw` re-attaches the column fields and, when given, the related rows' payloads. The stubs of
 * objects not given stay stubs. Key order may differ from the API's.
 */
import type { Bug, Test, TestFeature, UpstreamBug, UpstreamExploratoryTest } from '@testio-mcp/domain';
import { decodeRaw } from './raw-codec.js';

type Json = Record<string, unknown>;
type Columns = Readonly<Record<string, unknown>>;

/** How a field is rebuilt from the typed columns of its row. */
interface ColumnField {
  readonly key: string;
  readonly fromColumns: (columns: Columns) => unknown;
}

const MASK_KEY = '$columns';
const PLATFORMS_MARKER = '$test_platforms';

const text = (column: string): ColumnField => ({ key: column, fromColumns: (c) => c[column] ?? undefined });

/** Bug fields the `bugs` columns reproduce. The order is the bit order of `$columns`: never reorder. */
export const BUG_COLUMN_FIELDS: readonly ColumnField[] = [
  text('title'),
  text('location'),
  { key: 'steps', fromColumns: (c) => (typeof c['steps'] === 'string' ? c['steps'].split('\n') : undefined) },
  text('actual_result'),
  text('expected_result'),
];

/** Test feature fields the `test_features` columns reproduce (bit order, never reorder). */
export const TEST_FEATURE_COLUMN_FIELDS: readonly ColumnField[] = [
  text('title'),
  text('description'),
  text('howtofind'),
  { key: 'user_stories', fromColumns: (c) => parseJsonColumn(c['user_stories']) },
];

function parseJsonColumn(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function stripColumns(out: Json, fields: readonly ColumnField[], columns: Columns): void {
  let mask = 0;
  fields.forEach((field, bit) => {
    if (field.key in out && out[field.key] !== null && sameJson(out[field.key], field.fromColumns(columns))) {
      delete out[field.key];
      mask |= 1 << bit;
    }
  });
  if (mask !== 0) out[MASK_KEY] = mask;
}

function attachColumns(out: Json, fields: readonly ColumnField[], columns: Columns): void {
  const mask = out[MASK_KEY];
  delete out[MASK_KEY];
  if (typeof mask !== 'number') return;
  fields.forEach((field, bit) => {
    if ((mask & (1 << bit)) !== 0) out[field.key] = field.fromColumns(columns);
  });
}

/** A stored payload as read from its column (a compressed BLOB or JSON text) or already parsed. */
function parsedPayload(stored: unknown): Json {
  return (typeof stored === 'string' || stored instanceof Uint8Array ? decodeRaw(stored) : stored) as Json;
}

function idStub(value: unknown): unknown {
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as Json)['id'] === 'number'
  ) {
    return { id: (value as Json)['id'] };
  }
  return value;
}

function isStub(value: unknown): value is { id: number } {
  return (
    value !== null &&
    typeof value === 'object' &&
    Object.keys(value).length === 1 &&
    typeof (value as Json)['id'] === 'number'
  );
}

/** The bug payload to store: embedded product, test and feature as id stubs, column fields left out. */
export function compactBugRaw(raw: UpstreamBug, bug: Bug): Json {
  const out: Json = { ...(raw as Json) };
  for (const key of ['product', 'test', 'feature']) {
    if (key in out) out[key] = idStub(out[key]);
  }
  stripColumns(out, BUG_COLUMN_FIELDS, bug as unknown as Columns);
  return out;
}

/**
 * What the API sent for a bug, from its stored `raw` (the column's value, compressed or not, or the
 * parsed payload), its row's columns and, when given, its related rows' payloads.
 */
export function expandBugRaw(
  stored: unknown,
  columns: Columns,
  related: { readonly product?: unknown; readonly test?: unknown; readonly feature?: unknown } = {},
): Json {
  const out: Json = { ...parsedPayload(stored) };
  attachColumns(out, BUG_COLUMN_FIELDS, columns);
  for (const key of ['product', 'test', 'feature'] as const) {
    if (isStub(out[key]) && related[key] !== undefined) out[key] = related[key];
  }
  return out;
}

/**
 * The test payload to store: `product` as an id stub, `features` as id stubs (their `test_features`
 * rows keep them) and `requirements` as `"$test_platforms"` (their `test_platforms` rows keep them).
 */
export function compactTestRaw(raw: UpstreamExploratoryTest, test: Test): Json {
  const out: Json = { ...(raw as Json) };
  if ('product' in out) out['product'] = idStub(out['product']);
  const features = raw.features;
  if (Array.isArray(features) && features.length > 0) {
    const ids = features.map((f) => (f as Json)['id']);
    const stored = new Set(test.features.map((f) => f.id));
    if (ids.every((id) => typeof id === 'number' && stored.has(id)) && new Set(ids).size === ids.length) {
      out['features'] = ids.map((id) => ({ id }));
    }
  }
  const requirements = raw.requirements;
  if (
    Array.isArray(requirements) &&
    requirements.length > 0 &&
    requirements.length === test.platforms.length
  ) {
    out['requirements'] = PLATFORMS_MARKER;
  }
  return out;
}

/**
 * What the API sent for a test, from its stored `raw` (the column's value, compressed or not, or the
 * parsed payload) and the payloads of its child rows.
 */
export function expandTestRaw(
  stored: unknown,
  children: {
    readonly product?: unknown;
    /** `test_features` payloads, already expanded (`expandTestFeatureRaw`). */
    readonly features: readonly unknown[];
    /** `test_platforms` payloads by position. */
    readonly platforms: readonly unknown[];
  },
): Json {
  const out: Json = { ...parsedPayload(stored) };
  if (isStub(out['product']) && children.product !== undefined) out['product'] = children.product;
  if (Array.isArray(out['features'])) {
    const byId = new Map(children.features.map((f) => [(f as Json)['id'], f]));
    out['features'] = (out['features'] as unknown[]).map((f) => (isStub(f) ? (byId.get(f.id) ?? f) : f));
  }
  if (out['requirements'] === PLATFORMS_MARKER) out['requirements'] = [...children.platforms];
  return out;
}

/** The payload of one feature of a test, column fields left out. */
export function compactTestFeatureRaw(raw: unknown, feature: TestFeature): Json {
  const out: Json = { ...(raw as Json) };
  stripColumns(out, TEST_FEATURE_COLUMN_FIELDS, feature as unknown as Columns);
  return out;
}

/**
 * The payload of one feature of a test, from its stored `raw` (the column's value, compressed or not,
 * or the parsed payload) and its `test_features` columns.
 */
export function expandTestFeatureRaw(stored: unknown, columns: Columns): Json {
  const out: Json = { ...parsedPayload(stored) };
  attachColumns(out, TEST_FEATURE_COLUMN_FIELDS, columns);
  return out;
}
