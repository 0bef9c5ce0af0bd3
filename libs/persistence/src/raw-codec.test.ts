import { describe, expect, it } from 'vitest';
import { bug, product, test as testOf } from './__fixtures__/entities.js';
import { decodeRaw, decodeRawText, encodeRaw } from './raw-codec.js';
import { expandBugRaw } from './raw-payloads.js';
import { createTestDatabase } from './testing.js';

const T0 = new Date('2025-02-01T08:00:00.000Z');

describe('raw payload codec (ADR 0039)', () => {
  const json = JSON.stringify({
    id: 1283861,
    severity: 'critical',
    status: 'accepted',
    author: { name: 'julia_k' },
    comments: [
      { id: 3028902, body: 'Reproduced on a second device as well. Ünïcode ✓', author: { name: 'julia_k' } },
    ],
    devices: [
      { id: 5009634, category: { name: 'Smartphones' }, operating_system: { id: 3, name: 'Android' } },
    ],
    $columns: 31,
  });

  it('round-trips JSON text through a BLOB a fraction of its size, with the same bytes every time', () => {
    const stored = encodeRaw(json);
    expect(stored[0]).toBe(1);
    expect(stored.length).toBeLessThan(json.length / 2);
    expect(decodeRawText(stored)).toBe(json);
    expect(decodeRaw(stored)).toEqual(JSON.parse(json));
    expect(encodeRaw(json).equals(stored)).toBe(true);
  });

  it('reads the JSON text of rows written before compression, and any Uint8Array view', () => {
    expect(decodeRawText(json)).toBe(json);
    const stored = encodeRaw(json);
    const padded = new Uint8Array(stored.length + 8);
    padded.set(stored, 4);
    expect(decodeRawText(padded.subarray(4, 4 + stored.length))).toBe(json);
  });

  it('says what to do with a BLOB of an unknown format or a value that is no payload', () => {
    expect(() => decodeRawText(Buffer.from([9, 1, 2]))).toThrow(
      /unknown format 9.*newer.*Upgrade testio-mcp/s,
    );
    expect(() => decodeRawText(Buffer.alloc(0))).toThrow(/unknown format empty/);
    expect(() => decodeRawText(null)).toThrow(/is a null, not JSON text.*sync --force/s);
    expect(() => decodeRawText(42)).toThrow(/is a number/);
  });

  it('expands a bug row written before compression and one written after alike', async () => {
    const db = createTestDatabase();
    try {
      await db.stores.products.upsertProducts([product(1)], T0);
      await db.stores.tests.upsertTests([testOf(100, 1)], T0);
      const b = bug(5, 100);
      await db.stores.bugs.replaceBugsOfTests([100], [b], T0);
      const row = db.sqlite.prepare('SELECT * FROM bugs WHERE id = 5').get() as Record<string, unknown>;
      expect(row['raw']).toBeInstanceOf(Uint8Array);
      const legacy = { ...row, raw: decodeRawText(row['raw']) };
      expect(expandBugRaw(legacy['raw'], legacy)).toEqual(expandBugRaw(row['raw'], row));
      expect(expandBugRaw(row['raw'], row)['title']).toBe(b.raw.title);

      // a re-sync writes the same bytes (the stores skip unchanged rows by comparing them)
      await db.stores.bugs.replaceBugsOfTests([100], [b], T0);
      const same = db.sqlite
        .prepare('SELECT count(*) AS n FROM bugs WHERE id = 5 AND raw = ?')
        .get(row['raw']) as {
        n: number;
      };
      expect(same.n).toBe(1);
    } finally {
      await db.cleanup();
    }
  });
});
