import fc from 'fast-check';

/** Inputs a careless or hostile caller sends: wrong types, huge and odd strings, SQL, FTS syntax, traversal. */

export const ATTACK_STRINGS = [
  // SQL
  "' OR 1=1 --",
  '1; DROP TABLE bugs; --',
  '"); DELETE FROM tests; --',
  '1 UNION SELECT token FROM sync_leases',
  '%',
  '_',
  '\\',
  "''",
  // FTS5 syntax
  '"unterminated',
  'NEAR(a b',
  'a AND',
  'OR',
  '*',
  'title:x',
  '^start',
  'a NOT',
  '(((',
  '{title body}: x',
  '"" ""',
  'a OR b NOT c AND (d',
  // path traversal and control characters
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '/etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '\u0000',
  '\r\nX-Injected: 1',
  // unicode
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\u202eevil',
  '👩‍👩‍👧‍👦',
  'e\u0301',
  '\ud800',
  '死',
  // numbers and dates in disguise
  '1e309',
  'NaN',
  'Infinity',
  '-0',
  '0x10',
  '1,2,3,',
  '[1,2',
  '[]',
  '{}',
  '2025',
  '0000-00-00',
  '9999-12-31T99:99:99Z',
  'last 99999999 days',
  'tomorrow',
  '  ',
  '',
] as const;

const hugeString = fc
  .integer({ min: 1_000, max: 100_000 })
  .chain((n) =>
    fc.constantFrom('a', '%', '"', 'é', '🙂 ', 'x y ').map((c) => c.repeat(Math.ceil(n / c.length))),
  );

/** Any JSON value a client could send in place of the right one. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ATTACK_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: hugeString },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 2 ** 53, -(2 ** 53), 1e308, 0.5, Number.MAX_SAFE_INTEGER) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  },
);

/** The same, as text (query strings and path segments carry only text). */
export const nastyText: fc.Arbitrary<string> = nastyValue.map((v) =>
  typeof v === 'string' ? v : (JSON.stringify(v) ?? 'null'),
);

export interface KnownIds {
  readonly productIds: readonly number[];
  readonly testIds: readonly number[];
  readonly bugIds: readonly number[];
  readonly featureIds: readonly number[];
  readonly userIds: readonly number[];
  readonly words: readonly string[];
}

function idsFor(name: string, ids: KnownIds): readonly number[] {
  if (name.startsWith('product')) return ids.productIds;
  if (name.startsWith('test')) return ids.testIds;
  if (name.startsWith('bug')) return ids.bugIds;
  if (name.startsWith('feature')) return ids.featureIds;
  if (name.startsWith('user') || name.startsWith('reported_by')) return ids.userIds;
  return [...ids.productIds, ...ids.testIds];
}

const DATE_TEXT = [
  '2025-01-31',
  '2025-05-01T00:00:00Z',
  'today',
  'yesterday',
  'last 30 days',
  '3 weeks ago',
  'this month',
  'this quarter',
  'last year',
];

interface JsonSchema {
  readonly type?: string | string[];
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
}

/** A plausible, mostly valid value for a parameter, from its name and JSON Schema. */
export function plausibleValue(name: string, schema: JsonSchema, ids: KnownIds): fc.Arbitrary<unknown> {
  const known = idsFor(name, ids);
  if (name.endsWith('_ids')) {
    const id = fc.oneof(fc.constantFrom(...known), fc.integer({ min: 1, max: 10_000_000 }));
    return fc.oneof(
      fc.array(id, { minLength: 1, maxLength: 5 }),
      id,
      fc.array(id, { minLength: 1, maxLength: 5 }).map((a) => a.join(', ')),
    );
  }
  if (name.endsWith('_id'))
    return fc.oneof(
      fc.constantFrom(...known),
      fc.constantFrom(...known).map(String),
      fc.integer({ min: 1, max: 10_000_000 }),
    );
  if (name.includes('date') || name === 'since') return fc.constantFrom(...DATE_TEXT, 'all');
  if (name === 'query' || name === 'search') {
    return fc.oneof(
      fc.constantFrom(...ids.words),
      fc.constantFrom(...ids.words).map((w) => w.slice(0, 3)),
      fc.constantFrom(...ids.words).map((w) => `"${w}"`),
    );
  }
  const variants = [schema, ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  const arbs: fc.Arbitrary<unknown>[] = [];
  for (const v of variants) {
    if (v.enum?.length) arbs.push(fc.constantFrom(...v.enum));
    if (v.items?.enum?.length) {
      const values = v.items.enum;
      arbs.push(fc.subarray([...values], { minLength: 1 }));
      arbs.push(fc.subarray([...values], { minLength: 1 }).map((a) => a.join(',')));
    }
    const types = Array.isArray(v.type) ? v.type : v.type ? [v.type] : [];
    if (types.includes('integer') || types.includes('number'))
      arbs.push(fc.integer({ min: (v.minimum ?? 0) - 2, max: Math.min(v.maximum ?? 300, 300) + 2 }));
    if (types.includes('boolean')) arbs.push(fc.boolean(), fc.constantFrom('true', 'false'));
  }
  return arbs.length ? fc.oneof(...arbs) : fc.string({ maxLength: 20 });
}

/** Arguments of one call: every parameter valid, wrong or absent, sometimes an unknown one besides. */
export function argumentsFor(
  properties: Record<string, JsonSchema>,
  ids: KnownIds,
): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(
    Object.entries(properties).map(([name, schema]) => [
      name,
      fc.oneof(
        { weight: 3, arbitrary: plausibleValue(name, schema, ids) },
        { weight: 2, arbitrary: nastyValue },
      ),
    ]),
  );
  return fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.option(
        fc.tuple(
          fc.constantFrom('productId', 'id', 'limit', 'sql', '__proto__', 'constructor', 'x'.repeat(300)),
          nastyValue,
        ),
        { freq: 6 },
      ),
    )
    .map(([args, extra]) => (extra ? { ...args, [extra[0]]: extra[1] } : args));
}
