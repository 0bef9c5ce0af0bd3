import { z } from 'zod';
import { Rng, STREAM, hash32 } from './generator/prng.js';
import type { SandboxFaults } from './types.js';

const times = z.number().int().nonnegative().optional();
const pathPrefix = z.string().startsWith('/', 'pathPrefix is relative to /customer/v2 and starts with "/"');

/** The `SandboxFaults` contract as a runtime check, for the HTTP control endpoint and `startSandbox`. */
export const sandboxFaultsSchema = z.strictObject({
  latencyMs: z.number().nonnegative().optional(),
  latencyJitterMs: z.number().nonnegative().optional(),
  rateLimit: z
    .strictObject({
      times,
      retryAfterSeconds: z.number().int().nonnegative().optional(),
      everyNth: z.number().int().positive().optional(),
      methods: z.array(z.string().toUpperCase()).optional(),
    })
    .optional(),
  failTests: z.array(z.number().int()).optional(),
  failPages: z
    .array(
      z.strictObject({
        times,
        productId: z.number().int(),
        page: z.number().int().positive(),
        perPage: z.number().int().positive().optional(),
      }),
    )
    .optional(),
  failRate: z.number().min(0).max(1).optional(),
  timeouts: z.array(z.strictObject({ times, pathPrefix })).optional(),
  malformed: z
    .array(
      z.strictObject({ times, pathPrefix, kind: z.enum(['truncated', 'not-json', 'array', 'wrong-shape']) }),
    )
    .optional(),
}) satisfies z.ZodType<SandboxFaults>;

export class InvalidFaultsError extends Error {}

export function parseFaults(input: unknown): SandboxFaults {
  const result = sandboxFaultsSchema.safeParse(input ?? {});
  if (!result.success) {
    const detail = result.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new InvalidFaultsError(`invalid faults: ${detail}`);
  }
  return result.data;
}

export type MalformedKind = NonNullable<SandboxFaults['malformed']>[number]['kind'];

/** `times` counts down per matching request; an exhausted entry stops firing. */
function take<T extends { times?: number }>(entry: T): boolean {
  if (entry.times === undefined) return true;
  if (entry.times <= 0) return false;
  entry.times--;
  return true;
}

/** Segment-wise, so `/bugs` covers `/bugs/12` but not `/bugsy`. `path` carries no query string. */
function underPath(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

/**
 * The live fault configuration. Random draws (failRate, jitter) come from generators seeded from the
 * sandbox seed and restarted whenever faults are set, so a run is repeatable.
 */
export class FaultController {
  private faults: SandboxFaults = {};
  private failRng: Rng;
  private jitterRng: Rng;
  private rateLimitCounter = 0;

  constructor(
    private readonly seed: number,
    initial?: SandboxFaults,
  ) {
    this.failRng = new Rng(hash32(seed, STREAM.faults));
    this.jitterRng = new Rng(hash32(seed, STREAM.jitter));
    this.set(initial ?? {});
  }

  set(faults: SandboxFaults): void {
    // A private copy: counters decrement here, never in the caller's object.
    this.faults = structuredClone(parseFaults(faults));
    this.failRng = new Rng(hash32(this.seed, STREAM.faults));
    this.jitterRng = new Rng(hash32(this.seed, STREAM.jitter));
    this.rateLimitCounter = 0;
  }

  current(): SandboxFaults {
    return structuredClone(this.faults);
  }

  latencyMs(): number {
    const base = this.faults.latencyMs ?? 0;
    const jitter = this.faults.latencyJitterMs ?? 0;
    return base + (jitter > 0 ? Math.floor(this.jitterRng.next() * jitter) : 0);
  }

  takeTimeout(path: string): boolean {
    return (this.faults.timeouts ?? []).some((entry) => underPath(path, entry.pathPrefix) && take(entry));
  }

  /** Seconds for `Retry-After` when this request is rate limited, else null. */
  takeRateLimit(method = 'GET'): number | null {
    const limit = this.faults.rateLimit;
    if (!limit) return null;
    if (limit.methods && !limit.methods.includes(method.toUpperCase())) return null;
    this.rateLimitCounter++;
    if (limit.everyNth !== undefined && this.rateLimitCounter % limit.everyNth !== 0) return null;
    return take(limit) ? (limit.retryAfterSeconds ?? 1) : null;
  }

  takeRandomFailure(): boolean {
    const rate = this.faults.failRate ?? 0;
    return rate > 0 && this.failRng.next() < rate;
  }

  poisonedAmong(testIds: Iterable<number>): boolean {
    const poisoned = this.faults.failTests;
    if (!poisoned || poisoned.length === 0) return false;
    for (const id of testIds) if (poisoned.includes(id)) return true;
    return false;
  }

  takeFailPage(productId: number, page: number, perPage: number): boolean {
    return (this.faults.failPages ?? []).some(
      (entry) =>
        entry.productId === productId &&
        entry.page === page &&
        (entry.perPage === undefined || entry.perPage === perPage) &&
        take(entry),
    );
  }

  takeMalformed(path: string): MalformedKind | null {
    const entry = (this.faults.malformed ?? []).find(
      (candidate) => underPath(path, candidate.pathPrefix) && take(candidate),
    );
    return entry?.kind ?? null;
  }
}

const BROKEN_HTML =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>';

/** Turns a correct JSON body into the broken one a flaky proxy or a buggy release would send. */
export function malform(kind: MalformedKind, json: string): { body: string; contentType: string } {
  switch (kind) {
    case 'truncated':
      return {
        body: json.slice(0, Math.max(1, Math.floor(json.length / 2))),
        contentType: 'application/json; charset=utf-8',
      };
    case 'not-json':
      return { body: BROKEN_HTML, contentType: 'text/html; charset=utf-8' };
    case 'array': {
      const value: unknown = JSON.parse(json);
      const list =
        value && typeof value === 'object' && !Array.isArray(value)
          ? (Object.values(value).find((v) => Array.isArray(v)) ?? [value])
          : [value];
      return { body: JSON.stringify(list), contentType: 'application/json; charset=utf-8' };
    }
    case 'wrong-shape': {
      const value: unknown = JSON.parse(json);
      const firstKey = value && typeof value === 'object' ? Object.keys(value)[0] : undefined;
      return {
        body: JSON.stringify({ [firstKey ?? 'data']: 'oops' }),
        contentType: 'application/json; charset=utf-8',
      };
    }
  }
}
