import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bug, product, test as testOf } from './__fixtures__/entities.js';
import {
  compactBugRaw,
  compactTestRaw,
  expandBugRaw,
  expandTestFeatureRaw,
  expandTestRaw,
} from './raw-payloads.js';
import { decodeRaw, decodeRawText } from './raw-codec.js';
import { stripSecrets } from './secrets.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const T0 = new Date('2025-02-01T08:00:00.000Z');

/** Key order is not kept: compare as sorted JSON. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, canonical(v)]),
  );
}

describe('compact raw payloads', () => {
  it('replaces the embedded product, test and feature of a bug by id stubs and leaves out the column text', () => {
    const fullProduct = { id: 7, name: 'Shop', description: 'A long description', sections: [] };
    const fullFeature = {
      id: 501,
      title: 'Checkout',
      description: 'Pay',
      user_stories: ['As a buyer, I pay'],
    };
    const { entity, raw } = bug(1, 10, {
      product: fullProduct,
      feature: fullFeature,
      test: { id: 10, title: 'Test 10' },
    });
    const stored = compactBugRaw(raw, entity);
    expect(stored).toMatchObject({
      product: { id: 7 },
      test: { id: 10 },
      feature: { id: 501 },
      $columns: 31,
    });
    for (const key of ['title', 'location', 'steps', 'actual_result', 'expected_result'])
      expect(stored).not.toHaveProperty(key);
    const columns = { ...entity, steps: entity.steps };
    const expanded = expandBugRaw(JSON.parse(JSON.stringify(stored)), columns, {
      product: fullProduct,
      test: { id: 10, title: 'Test 10' },
      feature: fullFeature,
    });
    expect(canonical(expanded)).toEqual(canonical(raw));
  });

  it('keeps a field the columns do not reproduce exactly (trimmed text, a step with a line break, a string of steps, a missing title)', () => {
    const { entity, raw } = bug(2, 10, {
      actual_result: '  Padded  ',
      steps: ['one\ntwo', 'three'],
      location: null,
    });
    const stored = compactBugRaw(raw, entity);
    expect(stored['actual_result']).toBe('  Padded  ');
    expect(stored['steps']).toEqual(['one\ntwo', 'three']);
    expect(stored['location']).toBeNull();
    expect(canonical(expandBugRaw(stored, entity))).toEqual(canonical(raw));

    // No title upstream: the column's fallback (`Bug 4`) is not added back.
    const untitled = bug(4, 10);
    delete (untitled.raw as { title?: string }).title;
    const storedUntitled = compactBugRaw(untitled.raw, { ...untitled.entity, title: 'Bug 4' });
    expect(canonical(expandBugRaw(storedUntitled, { ...untitled.entity, title: 'Bug 4' }))).toEqual(
      canonical(untitled.raw),
    );

    const asText = bug(3, 10, { steps: 'Open the cart' });
    const storedText = compactBugRaw(asText.raw, asText.entity);
    expect(storedText['steps']).toBe('Open the cart');
    expect(canonical(expandBugRaw(storedText, asText.entity))).toEqual(canonical(asText.raw));
  });

  it('keeps a test payload whole except the product, the features and the requirements that child rows hold', () => {
    const { entity, raw } = testOf(100, 1);
    const stored = compactTestRaw(raw, entity);
    expect(stored['product']).toEqual({ id: 1 });
    expect(stored['features']).toEqual([{ id: 10001 }, { id: 10002 }]);
    expect(stored['requirements']).toBe('$test_platforms');
    expect(stored['goal_text']).toBe(raw.goal_text);
  });

  it('round-trips what the stores wrote: bug and test payloads expand to what the API sent (minus secrets)', async () => {
    let db: TestDatabase | undefined = createTestDatabase();
    try {
      const p = product(1);
      const t = testOf(100, 1);
      const b = bug(5, 100, {
        product: { id: 1, name: 'Product 1', description: 'long' },
        test: { id: 100, title: 'Test 100' },
      });
      await db.stores.products.upsertProducts([p], T0);
      await db.stores.tests.upsertTests([t], T0);
      await db.stores.bugs.replaceBugsOfTests([100], [b], T0);

      const bugRow = db.sqlite.prepare('SELECT * FROM bugs WHERE id = 5').get() as Record<string, unknown>;
      // compact, then compressed (ADR 0039): expandBugRaw takes the column's value as it is
      expect(bugRow['raw']).toBeInstanceOf(Uint8Array);
      expect(decodeRawText(bugRow['raw']).length).toBeLessThan(JSON.stringify(b.raw).length);
      expect((bugRow['raw'] as Uint8Array).length).toBeLessThan(decodeRawText(bugRow['raw']).length);
      const expandedBug = expandBugRaw(bugRow['raw'], bugRow, {
        product: { id: 1, name: 'Product 1', description: 'long' },
        test: { id: 100, title: 'Test 100' },
      });
      expect(canonical(expandedBug)).toEqual(canonical(b.raw));

      const testRow = db.sqlite.prepare('SELECT raw FROM tests WHERE id = 100').get() as { raw: Uint8Array };
      const features = (
        db.sqlite.prepare('SELECT * FROM test_features WHERE test_id = 100 ORDER BY id').all() as Record<
          string,
          unknown
        >[]
      ).map((row) => expandTestFeatureRaw(row['raw'], row));
      const platforms = (
        db.sqlite.prepare('SELECT raw FROM test_platforms WHERE test_id = 100 ORDER BY position').all() as {
          raw: Uint8Array;
        }[]
      ).map((row) => decodeRaw(row.raw));
      const expandedTest = expandTestRaw(testRow.raw, {
        product: t.raw.product,
        features,
        platforms,
      });
      expect(canonical(expandedTest)).toEqual(canonical(stripSecrets(t.raw)));
    } finally {
      await db?.cleanup();
      db = undefined;
    }
  });
});

describe('the compact_raw migration', () => {
  let db: TestDatabase;
  beforeEach(() => {
    db = createTestDatabase();
  });
  afterEach(async () => {
    await db.cleanup();
  });

  it('turns embedded objects of rows written before into id stubs and leaves other rows alone', async () => {
    const sql = (await import('node:fs')).readFileSync(
      new URL('../../../prisma/migrations/20261122000200_compact_raw/migration.sql', import.meta.url),
      'utf8',
    );
    await db.stores.products.upsertProducts([product(1)], T0);
    await db.stores.tests.upsertTests([testOf(100, 1)], T0);
    const legacy = {
      id: 5,
      title: 'Bug 5',
      product: { id: 1, name: 'P' },
      test: { id: 100, title: 'T' },
      feature: { id: 9, title: 'F' },
      comments: [],
    };
    db.sqlite
      .prepare(
        `INSERT INTO bugs (customer_id, id, test_id, product_id, title, known, devices, raw) VALUES (1, 5, 100, 1, 'Bug 5', 0, '[]', ?),
         (1, 6, 100, 1, 'Bug 6', 0, '[]', '{"id":6,"test":{"id":100}}')`,
      )
      .run(JSON.stringify(legacy));
    db.sqlite
      .prepare(`UPDATE tests SET raw = '{"id":100,"product":{"id":1,"name":"P"}}' WHERE id = 100`)
      .run();
    db.sqlite.exec(sql);
    const raw = (id: number) =>
      JSON.parse(
        (db.sqlite.prepare('SELECT raw FROM bugs WHERE id = ?').get(id) as { raw: string }).raw,
      ) as unknown;
    expect(raw(5)).toEqual({
      id: 5,
      title: 'Bug 5',
      product: { id: 1 },
      test: { id: 100 },
      feature: { id: 9 },
      comments: [],
    });
    expect(raw(6)).toEqual({ id: 6, test: { id: 100 } });
    expect(
      JSON.parse((db.sqlite.prepare('SELECT raw FROM tests WHERE id = 100').get() as { raw: string }).raw),
    ).toEqual({ id: 100, product: { id: 1 } });
  });
});
