import { describe, expect, it } from 'vitest';
import { UpstreamError } from '@testio-mcp/domain';
import { nextRecoverySize, walkTestPages, type PageReader, type WalkedPage } from './walk-tests.js';

/** An in-memory list of `total` items (ids 1000 + position) where positions in `poisoned` break any page holding them. */
function fakeApi(
  total: number,
  poisoned: number[] = [],
  failOnce: Array<{ page: number; perPage: number }> = [],
) {
  const calls: Array<{ page: number; perPage: number; recovery: boolean }> = [];
  const items = Array.from({ length: total }, (_, i) => ({ id: 1000 + i }));
  const once = [...failOnce];
  const read: PageReader<{ id: number }> = async (page, perPage, { recovery }) => {
    calls.push({ page, perPage, recovery });
    const start = (page - 1) * perPage;
    const fail = () =>
      new UpstreamError({
        status: 500,
        operation: { method: 'GET', path: `p?page=${page}&per_page=${perPage}` },
        message: 'boom',
      });
    const idx = once.findIndex((f) => f.page === page && f.perPage === perPage);
    if (idx >= 0) {
      once.splice(idx, 1);
      throw fail();
    }
    if (poisoned.some((p) => p >= start && p < start + perPage && p < total)) throw fail();
    return items.slice(start, start + perPage);
  };
  return { read, calls, items };
}

async function collect<T>(it: AsyncIterable<WalkedPage<T>>): Promise<WalkedPage<T>[]> {
  const pages: WalkedPage<T>[] = [];
  for await (const page of it) pages.push(page);
  return pages;
}

describe('nextRecoverySize', () => {
  it('picks sizes that tile the range exactly', () => {
    expect(nextRecoverySize(0, 25)).toBe(5);
    expect(nextRecoverySize(25, 25)).toBe(5);
    expect(nextRecoverySize(30, 5)).toBe(1);
    expect(nextRecoverySize(0, 10)).toBe(5);
    expect(nextRecoverySize(20, 20)).toBe(10);
    expect(nextRecoverySize(50, 50)).toBe(25);
    expect(nextRecoverySize(7, 2)).toBe(1);
  });
});

describe('walkTestPages', () => {
  it('gives a re-read that was rate limited the normal retries, and still reports the broken position', async () => {
    const api = fakeApi(60, [31]);
    let limited = 0;
    const read: PageReader<{ id: number }> = async (page, perPage, context) => {
      // The first re-read of the failing page runs out of its retries on 429s.
      if (context.recovery && limited === 0) {
        limited++;
        throw new UpstreamError({
          status: 429,
          operation: { method: 'GET', path: 'p' },
          message: 'slow down',
        });
      }
      return api.read(page, perPage, context);
    };
    const pages = await collect(walkTestPages(1, read, { pageSize: 25 }));
    expect(limited).toBe(1);
    expect(pages.flatMap((p) => p.failedRanges).map(({ offset, count }) => ({ offset, count }))).toEqual([
      { offset: 31, count: 1 },
    ]);
    expect(pages.flatMap((p) => p.tests)).toEqual(api.items.filter((_, i) => i !== 31));
  });

  it('reads until a short page, with offsets and no cap', async () => {
    const api = fakeApi(1234);
    const pages = await collect(walkTestPages(1, api.read, { pageSize: 25 }));
    expect(pages).toHaveLength(50);
    expect(pages.at(-1)).toMatchObject({ page: 50, offset: 1225, isLast: true });
    expect(pages.at(-1)?.tests).toHaveLength(9);
    expect(pages.flatMap((p) => p.tests)).toEqual(api.items);
  });

  it('ends on an empty page when the total is a multiple of the page size', async () => {
    const api = fakeApi(50);
    const pages = await collect(walkTestPages(1, api.read, { pageSize: 25 }));
    expect(pages.map((p) => [p.page, p.tests.length, p.isLast])).toEqual([
      [1, 25, false],
      [2, 25, false],
      [3, 0, true],
    ]);
  });

  it('starts at startPage', async () => {
    const api = fakeApi(60);
    const pages = await collect(walkTestPages(1, api.read, { pageSize: 25, startPage: 2 }));
    expect(pages.map((p) => p.offset)).toEqual([25, 50]);
    expect(pages.flatMap((p) => p.tests)).toEqual(api.items.slice(25));
  });

  it('recovers a transiently failing page fully with smaller pages', async () => {
    const api = fakeApi(80, [], [{ page: 2, perPage: 25 }]);
    const pages = await collect(walkTestPages(1, api.read, { pageSize: 25 }));
    expect(pages[1]).toMatchObject({ page: 2, offset: 25, failedRanges: [] });
    expect(pages[1]?.tests).toEqual(api.items.slice(25, 50));
    expect(pages.flatMap((p) => p.tests)).toEqual(api.items);
    expect(api.calls.filter((c) => c.recovery).map((c) => [c.page, c.perPage])).toEqual([
      [6, 5],
      [7, 5],
      [8, 5],
      [9, 5],
      [10, 5],
    ]);
  });

  it('isolates poisoned positions, reports them merged, and keeps walking', async () => {
    const api = fakeApi(120, [37, 38, 90]);
    const pages = await collect(walkTestPages(9, api.read, { pageSize: 25 }));
    const failed = pages
      .flatMap((p) => p.failedRanges)
      .map(({ productId, offset, count }) => ({ productId, offset, count }));
    expect(failed).toEqual([
      { productId: 9, offset: 37, count: 2 },
      { productId: 9, offset: 90, count: 1 },
    ]);
    const expected = api.items.filter((_, i) => ![37, 38, 90].includes(i));
    expect(pages.flatMap((p) => p.tests)).toEqual(expected);
    expect(pages[1]?.tests.map((t) => t.id)).toEqual(
      api.items
        .slice(25, 50)
        .filter((_, i) => i !== 12 && i !== 13)
        .map((t) => t.id),
    );
    expect(pages.at(-1)?.isLast).toBe(true);
  });

  it('recovers a failing last (short) page and stops there', async () => {
    const api = fakeApi(57, [], [{ page: 3, perPage: 25 }]);
    const pages = await collect(walkTestPages(1, api.read, { pageSize: 25 }));
    expect(pages).toHaveLength(3);
    expect(pages[2]).toMatchObject({ isLast: true, failedRanges: [] });
    expect(pages.flatMap((p) => p.tests)).toEqual(api.items);
  });

  it('handles a poisoned test on the short last page', async () => {
    const api = fakeApi(57, [55]);
    const pages = await collect(walkTestPages(1, api.read, { pageSize: 25 }));
    expect(pages.flatMap((p) => p.failedRanges).map((r) => [r.offset, r.count])).toEqual([[55, 1]]);
    expect(pages.flatMap((p) => p.tests)).toHaveLength(56);
    expect(pages.at(-1)?.isLast).toBe(true);
  });

  it('with page size 1 reports the position and goes on', async () => {
    const api = fakeApi(4, [1]);
    const pages = await collect(walkTestPages(1, api.read, { pageSize: 1 }));
    expect(pages.flatMap((p) => p.tests.map((t) => t.id))).toEqual([1000, 1002, 1003]);
    expect(pages.flatMap((p) => p.failedRanges).map((r) => r.offset)).toEqual([1]);
  });

  it('ends with the error when a whole page cannot be read at all', async () => {
    const api = fakeApi(
      100,
      Array.from({ length: 25 }, (_, i) => 25 + i),
    );
    const seen: number[] = [];
    await expect(async () => {
      for await (const page of walkTestPages(1, api.read, { pageSize: 25 })) seen.push(page.page);
    }).rejects.toBeInstanceOf(UpstreamError);
    expect(seen).toEqual([1]);
  });

  it('does not recover from non-5xx errors', async () => {
    const read: PageReader<number> = async () => {
      throw new UpstreamError({ status: 401, operation: { method: 'GET', path: 'x' }, message: 'no' });
    };
    await expect(collect(walkTestPages(1, read))).rejects.toMatchObject({ status: 401 });
  });

  it('stops when the signal is aborted', async () => {
    const api = fakeApi(500);
    const controller = new AbortController();
    const pages: number[] = [];
    await expect(async () => {
      for await (const page of walkTestPages(1, api.read, { pageSize: 25, signal: controller.signal })) {
        pages.push(page.page);
        if (page.page === 2) controller.abort();
      }
    }).rejects.toThrow(/abort/i);
    expect(pages).toEqual([1, 2]);
  });

  it('treats an over-long page (pagination ignored) as the whole list', async () => {
    const read: PageReader<number> = async () => Array.from({ length: 150 }, (_, i) => i);
    const pages = await collect(walkTestPages(1, read, { pageSize: 25 }));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ isLast: true });
  });
});
