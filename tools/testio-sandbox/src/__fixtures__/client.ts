import { startSandbox } from '../start.js';
import type { RunningSandbox, StartSandboxOptions } from '../types.js';

/** A fixed "now" so assertions about statuses and ages do not depend on the day the suite runs. */
export const TEST_ANCHOR = new Date('2025-06-01T00:00:00Z');

export interface ApiResponse {
  status: number;
  text: string;
  headers: Headers;
  json: () => unknown;
}

export async function start(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({ port: 0, scale: 'demo', anchor: TEST_ANCHOR, ...options });
}

export async function call(
  sandbox: RunningSandbox,
  path: string,
  init: { method?: string; token?: string | null; body?: unknown; signal?: AbortSignal } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? sandbox.token : init.token;
  if (token !== null) headers['Authorization'] = `Token ${token}`;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${sandbox.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    headers: response.headers,
    json: () => JSON.parse(text) as unknown,
  };
}

/** GET that must succeed; returns the parsed body. */
export async function getJson<T = Record<string, unknown>>(
  sandbox: RunningSandbox,
  path: string,
): Promise<T> {
  const response = await call(sandbox, path);
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${response.text}`);
  return response.json() as T;
}

export async function control(
  sandbox: RunningSandbox,
  path: string,
  method = 'GET',
  body?: unknown,
): Promise<ApiResponse> {
  const response = await fetch(`${sandbox.origin}/_sandbox${path}`, {
    method,
    ...(body !== undefined
      ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    text,
    headers: response.headers,
    json: () => JSON.parse(text) as unknown,
  };
}

export interface ProductLike {
  id: number;
  sections: Array<{ id: number }>;
  sections_with_default: Array<{ id: number; name: string }>;
}

export interface TestLike {
  id: number;
  status: string;
  start_at: string;
  end_at: string;
}

export interface BugLike {
  id: number;
  status: string;
  auto_accepted: boolean;
  severity: string;
  known: boolean;
  exported_at: string | null;
  test: { id: number };
  comments: Array<{ body: string }>;
}

/** Every test of a product by walking pages until a short one, the way clients do. */
export async function allTests(
  sandbox: RunningSandbox,
  productId: number,
  perPage = 100,
): Promise<TestLike[]> {
  const tests: TestLike[] = [];
  for (let page = 1; ; page++) {
    const body = await getJson<{ exploratory_tests: TestLike[] }>(
      sandbox,
      `/products/${productId}/exploratory_tests?page=${page}&per_page=${perPage}`,
    );
    tests.push(...body.exploratory_tests);
    if (body.exploratory_tests.length < perPage) return tests;
  }
}

export async function bugsOf(sandbox: RunningSandbox, testIds: number[]): Promise<BugLike[]> {
  const bugs: BugLike[] = [];
  for (let i = 0; i < testIds.length; i += 15) {
    const body = await getJson<{ bugs: BugLike[] }>(
      sandbox,
      `/bugs?filter_test_cycle_ids=${testIds.slice(i, i + 15).join(',')}`,
    );
    bugs.push(...body.bugs);
  }
  return bugs;
}

/** Narrows away `undefined` with a readable failure instead of a non-null assertion. */
export function must<T>(value: T | undefined | null, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`expected ${what} to exist`);
  return value;
}
