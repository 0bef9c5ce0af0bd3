/**
 * The sandbox's public contract: how tests, benchmarks and the CLI start and steer it.
 * Keep this file the single source of these types.
 */

export const SANDBOX_SCALES = ['demo', 'small', 'medium', 'large'] as const;
export type SandboxScale = (typeof SANDBOX_SCALES)[number];

export const DEFAULT_SANDBOX_TOKEN = 'sandbox-token';
export const DEFAULT_SANDBOX_PORT = 4010;
export const DEFAULT_SANDBOX_SEED = 7;
export const API_PREFIX = '/customer/v2';

/** A fault that fires on matching requests, `times` times (forever when absent). */
interface Repeatable {
  times?: number;
}

export interface SandboxFaults {
  /** Added to every API response (not to `/_sandbox/*`). */
  latencyMs?: number;
  /** Extra random latency in [0, latencyJitterMs), seeded. */
  latencyJitterMs?: number;
  /**
   * Answer 429 with `Retry-After` (seconds) for the next `times` API requests (or every `everyNth`);
   * with `methods`, only requests of those methods count (e.g. `['PUT']`: the bug triage writes).
   */
  rateLimit?: Repeatable & { retryAfterSeconds?: number; everyNth?: number; methods?: string[] };
  /**
   * Poisoned tests: `GET /exploratory_tests/{id}` and every list page whose range contains one of them
   * answer 500, as the real API does for pages holding a broken record. Shrinking the page size
   * isolates the poisoned position.
   */
  failTests?: number[];
  /** Exact list requests (product, page and optionally per_page) that answer 500. */
  failPages?: Array<Repeatable & { productId: number; page: number; perPage?: number }>;
  /** Probability in [0, 1] of a 500 on any API request, drawn from a seeded generator. */
  failRate?: number;
  /** Requests under this path (relative to /customer/v2, e.g. `/bugs`) are never answered. */
  timeouts?: Array<Repeatable & { pathPrefix: string }>;
  /** Requests under this path get a broken body with status 200. */
  malformed?: Array<
    Repeatable & { pathPrefix: string; kind: 'truncated' | 'not-json' | 'array' | 'wrong-shape' }
  >;
}

export interface StartSandboxOptions {
  /** 0 picks a free port. Default 4010 from the CLI, 0 from `startSandbox`. */
  port?: number;
  host?: string;
  seed?: number;
  scale?: SandboxScale;
  token?: string;
  faults?: SandboxFaults;
  /**
   * The moment the generated account is anchored to (its "now"). Same seed + scale + anchor give the
   * same account byte for byte. Default: the start of the current UTC day.
   */
  anchor?: Date;
  /**
   * A second, valid token that may list resources but gets 403 on `/products/{id}` (and everything under
   * it) and on bug transitions, like the restricted tokens seen upstream. Default `forbidden-token`;
   * `null` disables it.
   */
  forbiddenToken?: string | null;
}

export interface AdvanceOptions {
  days?: number;
  hours?: number;
}

export interface AdvanceSummary {
  now: string;
  newTests: number[];
  statusChanges: Array<{ testId: number; from: string; to: string }>;
  bugStatusChanges: number;
  newBugs: number;
  deletedTests: number[];
}

export interface TruthCounts {
  tests: number;
  bugs: number;
  testsByStatus: Record<string, number>;
  bugsByStatus: Record<string, number>;
  bugsBySeverity: Record<string, number>;
}

export interface GroundTruth {
  seed: number;
  scale: SandboxScale;
  now: string;
  totals: TruthCounts & { products: number; features: number; userStories: number };
  products: Array<
    TruthCounts & {
      id: number;
      name: string;
      hasSections: boolean;
      sectionIds: number[];
      features: number;
      userStories: number;
    }
  >;
  /** Only with `perTest` (`GET /_sandbox/truth?per_test=1`): one row per existing test. */
  tests?: Array<{
    id: number;
    productId: number;
    status: string;
    bugs: number;
    bugsByStatus: Record<string, number>;
  }>;
}

export interface RequestLogEntry {
  method: string;
  /** Path relative to the API prefix, query included, e.g. `/bugs?filter_test_cycle_ids=1,2`. */
  path: string;
  status: number;
}

export interface RunningSandbox {
  /** e.g. `http://127.0.0.1:41234/customer/v2` */
  readonly baseUrl: string;
  /** e.g. `http://127.0.0.1:41234` */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  setFaults(faults: SandboxFaults): void;
  advance(options: AdvanceOptions): AdvanceSummary;
  /** Same payload as `GET /_sandbox/truth`. */
  truth(options?: { perTest?: boolean }): GroundTruth;
  /** API requests served since start (or the last reset), oldest first; capped at 100,000 entries. */
  requestLog(): RequestLogEntry[];
  resetRequestLog(): void;
  close(): Promise<void>;
}
