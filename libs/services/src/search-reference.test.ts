/**
 * The bounded search of ADR 0018 against the design it replaced (`__fixtures__/search-reference.ts`: an
 * exact count of every match, the same ranking window) on random queries over a synced sandbox mirror
 * (seed 7, small): the ranked head is the same hit for hit (ids, order, scores, snippets), and the total is
 * the reference's exactly, or a lower bound of it at the count cap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEARCH_COUNT_CAP, type SearchPortOptions } from '@testio-mcp/domain';
import { createMirrorSearch } from '@testio-mcp/persistence';
import { referenceSearch, REFERENCE_CANDIDATES_PER_ENTITY } from './__fixtures__/search-reference.js';
import { pick, rng } from './__fixtures__/random.js';
import { startStack, type Stack } from './__fixtures__/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

/** Words of the mirror's titles (3+ letters), most frequent first, and adjacent pairs for phrases. */
function vocabulary(): { words: string[]; phrases: string[] } {
  const titles = stack.db.sqlite
    .prepare(
      `SELECT title FROM bugs WHERE customer_id = @c UNION ALL SELECT title FROM tests WHERE customer_id = @c
       UNION ALL SELECT title FROM features WHERE customer_id = @c`,
    )
    .pluck()
    .all({ c: stack.db.customerId }) as string[];
  const counts = new Map<string, number>();
  const phrases = new Set<string>();
  for (const title of titles) {
    const words = title.toLowerCase().match(/\p{L}{3,}/gu) ?? [];
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
    for (let i = 0; i + 1 < words.length; i += 1) phrases.add(`${words[i]} ${words[i + 1]}`);
  }
  const words = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  return { words, phrases: [...phrases].sort().slice(0, 500) };
}

function randomQuery(random: () => number, v: ReturnType<typeof vocabulary>, products: number[]) {
  const common = v.words.slice(0, 15);
  const kind = Math.floor(random() * 8);
  const limit = 1 + Math.floor(random() * 100);
  const base: SearchPortOptions = { query: pick(random, common), mode: 'simple', limit };
  switch (kind) {
    case 0:
      return base;
    case 1:
      return { ...base, query: pick(random, v.words.slice(0, 200)) };
    case 2:
      return { ...base, query: `${pick(random, common)} ${pick(random, v.words.slice(0, 100))}` };
    case 3:
      return { ...base, query: pick(random, v.words).slice(0, 2 + Math.floor(random() * 3)) };
    case 4:
      return { ...base, query: `"${pick(random, v.phrases)}"`, mode: 'raw' as const };
    case 5:
      return { ...base, productIds: [pick(random, products)] };
    case 6:
      return { ...base, entityTypes: [pick(random, ['bug', 'test', 'feature'] as const)] };
    default:
      return {
        ...base,
        from: new Date(Date.UTC(2024, Math.floor(random() * 12), 1)),
        to: new Date(Date.UTC(2025, Math.floor(random() * 6), 28)),
      };
  }
}

describe('search vs the previous design on the ranked head', () => {
  it('returns the same hits in the same order, and the exact total below the count cap', async () => {
    const v = vocabulary();
    const products = stack.truth.products.map((p) => p.id);
    const search = createMirrorSearch(stack.db.sqlite, stack.db.customerId);
    const random = rng(18);
    let capped = 0;
    let beyondWindow = 0;
    for (let i = 0; i < 150; i += 1) {
      const options = randomQuery(random, v, products);
      const label = JSON.stringify(options);
      const expected = referenceSearch(stack.db.sqlite, stack.db.customerId, options);
      const actual = await search.search(options);
      expect(actual.match, label).toBe(expected.match);
      expect(actual.results, label).toEqual(expected.results);
      if (actual.totalIsLowerBound) {
        capped += 1;
        expect(actual.total, label).toBeGreaterThanOrEqual(SEARCH_COUNT_CAP);
        expect(actual.total, label).toBeLessThanOrEqual(expected.total);
      } else {
        expect(actual.total, label).toBe(expected.total);
      }
      if (expected.total > REFERENCE_CANDIDATES_PER_ENTITY) beyondWindow += 1;
    }
    // The queries reach both regimes: totals past the count cap, and more matches than the ranking window.
    expect(capped).toBeGreaterThan(0);
    expect(beyondWindow).toBeGreaterThan(capped);
  });
});
