import { REJECTION_REASONS } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../types.js';
import {
  type BugLike,
  type ProductLike,
  TEST_ANCHOR,
  call,
  getJson,
  must,
  start,
} from '../__fixtures__/client.js';

let sandbox: RunningSandbox;
let products: ProductLike[];

beforeAll(async () => {
  sandbox = await start({ scale: 'small' });
  products = (await getJson<{ products: ProductLike[] }>(sandbox, '/products')).products;
});
afterAll(() => sandbox.close());

const bugs = async (query: string) =>
  (await getJson<{ bugs: Array<BugLike & { product: { id: number } }> }>(sandbox, `/bugs?${query}`)).bugs;

describe('GET /bugs filters', () => {
  it('filters by product, matching the ground truth', async () => {
    const product = must(products[0]);
    const list = await bugs(`filter_product_ids=${product.id}`);
    expect(list.length).toBe(must(sandbox.truth().products.find((p) => p.id === product.id)).bugs);
    expect(list.every((b) => b.product.id === product.id)).toBe(true);
    const ids = list.map((b) => b.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('filters by section and by several products at once', async () => {
    const sectioned = must(products.find((p) => p.sections.length > 0));
    const section = must(sectioned.sections[0]);
    const inSection = await bugs(`filter_section_ids=${section.id}`);
    expect(inSection.length).toBeGreaterThan(0);
    for (const bug of inSection.slice(0, 20)) {
      const test = await getJson<{ exploratory_test: { section: { id: number } } }>(
        sandbox,
        `/exploratory_tests/${bug.test.id}`,
      );
      expect(test.exploratory_test.section.id).toBe(section.id);
    }
    const two = products.slice(0, 2).map((p) => p.id);
    const both = await bugs(`filter_product_ids=${two.join(',')}`);
    expect(new Set(both.map((b) => b.product.id))).toEqual(new Set(two));
  });

  it('filters by export status', async () => {
    const productId = must(products[0]).id;
    const exported = await bugs(`filter_product_ids=${productId}&export_status=exported`);
    const notExported = await bugs(`filter_product_ids=${productId}&export_status=not_exported`);
    const requested = await bugs(`filter_product_ids=${productId}&export_status=export_requested`);
    expect(exported.length).toBeGreaterThan(0);
    expect(exported.every((b) => b.exported_at !== null)).toBe(true);
    expect(notExported.every((b) => b.exported_at === null)).toBe(true);
    expect(requested.every((b) => b.exported_at === null && b.status === 'accepted')).toBe(true);
    const all = await bugs(`filter_product_ids=${productId}`);
    expect(exported.length + notExported.length + requested.length).toBe(all.length);
  });

  it('rejects malformed filters', async () => {
    expect((await call(sandbox, '/bugs?filter_test_cycle_ids=1,abc')).status).toBe(400);
    expect((await call(sandbox, '/bugs?export_status=sent')).status).toBe(400);
  });
});

describe('bug transitions', () => {
  async function forwardedBug(skip: number): Promise<BugLike> {
    const truth = sandbox.truth({ perTest: true });
    const withOpen = (truth.tests ?? [])
      .filter((t) => (t.bugsByStatus['forwarded'] ?? 0) > 0)
      .map((t) => t.id);
    const open = (await bugs(`filter_test_cycle_ids=${withOpen.slice(0, 15).join(',')}`)).filter(
      (b) => b.status === 'forwarded',
    );
    return must(open[skip], 'a forwarded bug');
  }

  it('accepts a bug', async () => {
    const bug = await forwardedBug(0);
    const before = sandbox.truth().totals.bugsByStatus;
    const response = await call(sandbox, `/bugs/${bug.id}/accept`, { method: 'PUT' });
    expect(response.status).toBe(200);
    expect(response.json()).toMatchObject({ bug: { id: bug.id, status: 'accepted', auto_accepted: false } });
    expect((await getJson(sandbox, `/bugs/${bug.id}`))['bug']).toMatchObject({ status: 'accepted' });
    const after = sandbox.truth().totals.bugsByStatus;
    expect(after['accepted']).toBe((before['accepted'] ?? 0) + 1);
    expect(after['forwarded']).toBe((before['forwarded'] ?? 0) - 1);
  });

  it('rejects a bug with a validated reason and records the comment', async () => {
    const bug = await forwardedBug(0);
    const invalid = await call(sandbox, `/bugs/${bug.id}/reject`, {
      method: 'PUT',
      body: { reason: 'because', comment: 'x' },
    });
    expect(invalid.status).toBe(422);
    expect(invalid.json()).toEqual({ error: expect.stringContaining('reason') });
    const noComment = await call(sandbox, `/bugs/${bug.id}/reject`, {
      method: 'PUT',
      body: { reason: 'irrelevant' },
    });
    expect(noComment.status).toBe(422);
    const comment = REJECTION_REASONS.not_reproducible;
    const response = await call(sandbox, `/bugs/${bug.id}/reject`, {
      method: 'PUT',
      body: { reason: 'not_reproducible', comment },
    });
    expect(response.status).toBe(200);
    const rejected = (response.json() as { bug: BugLike }).bug;
    expect(rejected.status).toBe('rejected');
    expect(rejected.comments.map((c) => c.body)).toContain(comment);
  });

  it('marks a bug as known, exported and fixed; an exported bug is found by its external index', async () => {
    const bug = await forwardedBug(1);
    const known = await call(sandbox, `/bugs/${bug.id}/mark_as_known`, { method: 'PUT' });
    expect(known.json()).toMatchObject({ bug: { known: true, status: 'forwarded' } });
    const search = async () =>
      call(sandbox, '/bugs', { method: 'POST', body: { bug: { external_idx: `EXT-${bug.id}` } } });
    expect((await search()).json()).toEqual({ bugs: [] });
    const exported = await call(sandbox, `/bugs/${bug.id}/mark_as_exported`, { method: 'PUT' });
    expect(exported.json()).toMatchObject({
      bug: { exported_at: TEST_ANCHOR.toISOString().replace('.000Z', '+00:00') },
    });
    expect((await search()).json()).toMatchObject({ bugs: [{ id: bug.id }] });
    expect((await call(sandbox, `/bugs/${bug.id}/mark_as_fixed`, { method: 'PUT' })).status).toBe(200);
    expect((await call(sandbox, '/bugs', { method: 'POST', body: { bug: {} } })).status).toBe(400);
  });

  it('answers 404 for unknown bugs and 403 for the forbidden token', async () => {
    expect((await call(sandbox, '/bugs/5/accept', { method: 'PUT' })).status).toBe(404);
    const bug = await forwardedBug(2);
    expect(
      (await call(sandbox, `/bugs/${bug.id}/accept`, { method: 'PUT', token: 'forbidden-token' })).status,
    ).toBe(403);
    expect((await call(sandbox, `/bugs/${bug.id}`, { token: 'forbidden-token' })).status).toBe(200);
  });

  it('rejects a body that is not JSON', async () => {
    const bug = await forwardedBug(2);
    const response = await fetch(`${sandbox.baseUrl}/bugs/${bug.id}/reject`, {
      method: 'PUT',
      headers: { Authorization: `Token ${sandbox.token}`, 'Content-Type': 'application/json' },
      body: '{"reason":',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });
});
