import { afterAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../types.js';
import { call, start } from '../__fixtures__/client.js';

const running: RunningSandbox[] = [];
afterAll(() => Promise.all(running.map((s) => s.close())));

async function fingerprint(seed: number): Promise<string[]> {
  const sandbox = await start({ scale: 'small', seed });
  running.push(sandbox);
  const bodies: string[] = [];
  const products = await call(sandbox, '/products');
  bodies.push(products.text);
  const firstProduct = (products.json() as { products: Array<{ id: number }> }).products[0]?.id;
  const page = await call(sandbox, `/products/${firstProduct}/exploratory_tests?page=2&per_page=25`);
  bodies.push(page.text);
  const ids = (page.json() as { exploratory_tests: Array<{ id: number }> }).exploratory_tests
    .slice(0, 10)
    .map((t) => t.id);
  bodies.push((await call(sandbox, `/bugs?filter_test_cycle_ids=${ids.join(',')}`)).text);
  bodies.push((await call(sandbox, `/products/${firstProduct}/exploratory_tests`)).text);
  bodies.push(JSON.stringify(sandbox.truth({ perTest: true })));
  return bodies;
}

describe('determinism', () => {
  it('gives byte-identical bodies for the same seed, scale and anchor', async () => {
    const [first, second] = await Promise.all([fingerprint(7), fingerprint(7)]);
    expect(second).toEqual(first);
    expect(first.every((body) => body.length > 20)).toBe(true);
  });

  it('gives a different account for a different seed', async () => {
    const [seven, eight] = await Promise.all([fingerprint(7), fingerprint(8)]);
    for (let i = 0; i < seven.length; i++) expect(eight[i]).not.toEqual(seven[i]);
  });

  it('stays identical after the same sequence of advances and transitions', async () => {
    const [a, b] = await Promise.all([start({ scale: 'small' }), start({ scale: 'small' })]);
    running.push(a, b);
    const summaries = [a, b].map((s) => [s.advance({ days: 2 }), s.advance({ hours: 30 })]);
    expect(summaries[1]).toEqual(summaries[0]);
    expect(JSON.stringify(b.truth({ perTest: true }))).toBe(JSON.stringify(a.truth({ perTest: true })));
  });
});
