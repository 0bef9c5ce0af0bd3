import { z } from 'zod';
import { InvalidInputError, type InvalidInputIssue } from './errors.js';

/**
 * Settings every process shares, parsed from an environment-like record (the apps pass `process.env`
 * merged with an env file; libraries never read the environment). Names and defaults are the
 * reference product's, so an existing `.env` keeps working.
 */

export const PRODUCTION_API_BASE_URL = 'https://api.test.io/customer/v2';

/** `true/false`, `1/0`, `yes/no`, `on/off`, case-sensitive lower case as the reference wrote them. */
export const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { message: 'expected true or false' })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

export function intIn(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^-?\d+$/, `expected an integer between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/** A decimal number such as `10` or `10.0` (the reference's float settings) between min and max. */
export function numberIn(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/, `expected a number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

/** `598,599`, `[598, 599]` or `598`: the forgiving id-list form used by the reference. */
export const idListFromEnv = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    const body = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
    const parts = body
      .split(',')
      .map((p) => p.trim().replace(/^"(.*)"$/, '$1'))
      .filter((p) => p !== '');
    const bad = parts.filter((p) => !/^\d+$/.test(p));
    if (bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected comma-separated numeric ids, got ${bad.map((b) => `'${b}'`).join(', ')}`,
      });
      return z.NEVER;
    }
    return [...new Set(parts.map(Number))];
  });

/** A fraction 0-1 such as `0.2` (not a percent). */
export const fractionFromEnv = z
  .string()
  .trim()
  .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'expected a number between 0 and 1, e.g. 0.2')
  .transform(Number);

/** Default playbook thresholds (reference-data §3.6): warning/critical, as fractions. */
export const DEFAULT_PLAYBOOK_THRESHOLDS = {
  rejection_rate: { warning: 0.2, critical: 0.35, direction: 'above' },
  auto_acceptance_rate: { warning: 0.2, critical: 0.4, direction: 'above' },
  review_rate: { warning: 0.8, critical: 0.6, direction: 'below' },
} as const;

export const sharedSettingsSchema = z.object({
  /** Absent ⇒ demo mode: the embedded sandbox stands in for TestIO. */
  TESTIO_CUSTOMER_API_TOKEN: z.string().trim().min(1).optional(),
  TESTIO_CUSTOMER_API_BASE_URL: z
    .url({ message: 'expected an http(s) URL' })
    .default(PRODUCTION_API_BASE_URL),
  TESTIO_CUSTOMER_ID: intIn(1, Number.MAX_SAFE_INTEGER).default(1),
  TESTIO_CUSTOMER_NAME: z.string().trim().min(1).default('default'),
  TESTIO_DB_PATH: z.string().trim().min(1).optional(),
  /**
   * `postgresql://user:password@host:5432/db` selects PostgreSQL for every process (ADR 0034); unset, the
   * SQLite file (TESTIO_DB_PATH). Checked where it is opened, so no error ever shows its password.
   */
  TESTIO_DATABASE_URL: z.string().trim().min(1).optional(),
  TESTIO_PRODUCT_IDS: idListFromEnv.optional(),
  TESTIO_REFRESH_INTERVAL_SECONDS: intIn(0, 7 * 24 * 3600).default(3600),
  /**
   * Serve reads only (`--read-only`, ADR 0028): no tool or REST route that writes (sync_data,
   * POST /api/sync, report exports). The background sync that keeps the mirror fresh still runs.
   */
  TESTIO_READ_ONLY: booleanFromEnv.default(false),
  /**
   * Bug triage from chat and REST (ADR 0032): serves the `triage` tools and `/api/bugs/{id}/accept|...`.
   * Off by default; never under TESTIO_READ_ONLY. Naming `triage` in TESTIO_TOOLSETS also serves the tools.
   */
  TESTIO_ENABLE_WRITES: booleanFromEnv.default(false),
  TESTIO_SYNC_SINCE: z.string().trim().min(1).optional(),
  CACHE_TTL_SECONDS: intIn(60, 86_400).default(3600),
  MAX_CONCURRENT_API_REQUESTS: intIn(1, 50).default(10),
  HTTP_TIMEOUT_SECONDS: numberIn(1, 300).default(90),
  /**
   * Read worker threads of a serving process (ADR 0027): 0 reads on the main thread; absent = cores + 1
   * for `serve --transport http` and `api`, one for `serve` over stdio.
   */
  TESTIO_READ_WORKERS: intIn(0, 64).optional(),
  TESTIO_DEFAULT_PAGE_SIZE: intIn(1, 200).default(100),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .transform((v) => (v === 'warning' ? 'warn' : v === 'critical' ? 'fatal' : v))
    .pipe(
      z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'], {
        message: 'expected DEBUG, INFO, WARNING, ERROR or CRITICAL',
      }),
    )
    .default('info'),
  LOG_FORMAT: z.enum(['json', 'text'], { message: 'expected json or text' }).optional(),
  /** Also write JSON log lines to this file (`~` allowed), rotated by size: path -> path.1 -> ... -> path.N. */
  LOG_FILE: z.string().trim().min(1).optional(),
  /** Rotate the log file once it would grow past this many megabytes. */
  LOG_FILE_MAX_SIZE_MB: intIn(1, 1024).default(10),
  /** Rotated files kept beside the log file (path.1 ... path.N); the oldest is dropped. */
  LOG_FILE_MAX_FILES: intIn(1, 100).default(5),
  TESTIO_FORCE_INITIAL_SYNC: booleanFromEnv.default(false),
  /** Playbook thresholds of the quality report and the analytics (health: healthy / warning / critical). */
  PLAYBOOK_REJECTION_WARNING: fractionFromEnv.default(DEFAULT_PLAYBOOK_THRESHOLDS.rejection_rate.warning),
  PLAYBOOK_REJECTION_CRITICAL: fractionFromEnv.default(DEFAULT_PLAYBOOK_THRESHOLDS.rejection_rate.critical),
  PLAYBOOK_AUTO_ACCEPTANCE_WARNING: fractionFromEnv.default(
    DEFAULT_PLAYBOOK_THRESHOLDS.auto_acceptance_rate.warning,
  ),
  PLAYBOOK_AUTO_ACCEPTANCE_CRITICAL: fractionFromEnv.default(
    DEFAULT_PLAYBOOK_THRESHOLDS.auto_acceptance_rate.critical,
  ),
  PLAYBOOK_REVIEW_WARNING: fractionFromEnv.default(DEFAULT_PLAYBOOK_THRESHOLDS.review_rate.warning),
  PLAYBOOK_REVIEW_CRITICAL: fractionFromEnv.default(DEFAULT_PLAYBOOK_THRESHOLDS.review_rate.critical),
  /** Where quality reports are exported (`output_file` is relative to it); created when missing. */
  TESTIO_EXPORT_DIR: z.string().trim().min(1).default('~/.testio-mcp/exports'),
  /**
   * Static API keys (comma-separated, 16+ characters each) for MCP over HTTP and the REST API: each acts as
   * admin of tenant `default`. Keys made with `testio-mcp keys create` live in the database instead.
   */
  TESTIO_API_KEYS: z
    .string()
    .transform((raw) =>
      raw
        .split(',')
        .map((k) => k.trim())
        .filter((k) => k !== ''),
    )
    .pipe(z.array(z.string().min(16, 'every API key must be at least 16 characters long')))
    .optional(),
  /** Encrypts tenant tokens at rest (AES-256-GCM): 32 random bytes as 64 hex characters or base64. */
  TESTIO_MASTER_KEY: z.string().trim().min(1).optional(),
  /** A file holding the master key (wins over nothing; both set is an error). */
  TESTIO_MASTER_KEY_FILE: z.string().trim().min(1).optional(),
  /**
   * A bearer that TestIO accepts as a customer token acts as operator of that customer's tenant, created
   * on first use with the token sealed under the master key (ADR 0024). Needs the master key.
   */
  TESTIO_ACCEPT_CUSTOMER_TOKENS: booleanFromEnv.default(false),
  /**
   * OAuth 2.1 resource server (ADR 0025): the authorization server whose JWT access tokens are accepted.
   * Its JWKS comes from TESTIO_OAUTH_JWKS_URL or its metadata; TESTIO_OAUTH_AUDIENCE is then required.
   */
  TESTIO_OAUTH_ISSUER: z.url({ message: 'expected an http(s) URL' }).optional(),
  TESTIO_OAUTH_AUDIENCE: z.string().trim().min(1).optional(),
  TESTIO_OAUTH_JWKS_URL: z.url({ message: 'expected an http(s) URL' }).optional(),
  /** The claim naming the principal's tenant slug. */
  TESTIO_OAUTH_TENANT_CLAIM: z.string().trim().min(1).default('testio_tenant'),
  /** The claim naming the role; without it the scopes testio:read|sync|admin decide. */
  TESTIO_OAUTH_ROLE_CLAIM: z.string().trim().min(1).default('testio_role'),
  /** Requests per minute of each role's principals, MCP tool calls and REST requests together; 0 = no limit. */
  TESTIO_RATE_LIMIT_VIEWER: intIn(0, 1_000_000).default(300),
  TESTIO_RATE_LIMIT_OPERATOR: intIn(0, 1_000_000).default(300),
  TESTIO_RATE_LIMIT_ADMIN: intIn(0, 1_000_000).default(600),
  /** Audit entries older than this many days are pruned by the serving process. */
  TESTIO_AUDIT_RETENTION_DAYS: intIn(1, 3650).default(90),
});
export type SharedSettings = z.infer<typeof sharedSettingsSchema>;

export type EnvRecord = Readonly<Record<string, string | undefined>>;

const NO_READ_THROUGH_CACHE =
  'tools read the local mirror, which the sync keeps fresh; CACHE_TTL_SECONDS says when mirrored tests, bugs and features are read again';
const POOL =
  'connections to TestIO are bounded by MAX_CONCURRENT_API_REQUESTS and each request by HTTP_TIMEOUT_SECONDS';

/**
 * Variables of the reference product's `.env` that this product has no use for, with the reason. They
 * are not an error (an `.env` carried over must start the server, ADR 0014) but never silently ignored
 * either: each one set gets a warning line at start-up.
 */
export const REFERENCE_ONLY_SETTINGS: Readonly<Record<string, string>> = {
  TESTIO_SKIP_MIGRATIONS:
    'the mirror is migrated at every start-up, which is quick and safe, so there is nothing to skip',
  BUG_CACHE_ENABLED: NO_READ_THROUGH_CACHE,
  BUG_CACHE_BYPASS: `${NO_READ_THROUGH_CACHE}; sync_data (or testio-mcp sync --force) reads everything again`,
  BUG_CACHE_TTL_SECONDS: 'replaced by CACHE_TTL_SECONDS',
  FEATURE_CACHE_TTL_SECONDS: 'replaced by CACHE_TTL_SECONDS',
  TEST_CACHE_TTL_SECONDS: 'replaced by CACHE_TTL_SECONDS',
  CONNECTION_POOL_SIZE: POOL,
  CONNECTION_POOL_MAX_KEEPALIVE: POOL,
  MAX_ACQUIRE_TIMEOUT_SECONDS: POOL,
  MAX_CONCURRENT_DB_WRITES:
    'SQLite takes one writer at a time and the sync is the only writer, so there is nothing to tune',
  REQUEST_CACHE_TTL_SECONDS: 'the reference never used it either; answers come from the local mirror',
  TESTIO_HTTP_TIMEOUT: 'the timeout to TestIO is HTTP_TIMEOUT_SECONDS',
  TESTIO_LOCK_TIMEOUT: 'the sync lease is managed by the product and needs no setting',
};

export interface SettingWarning {
  readonly variable: string;
  readonly message: string;
}

/** One warning per reference-only variable set (non-empty) in `env`, in the table's order. */
export function referenceOnlySettingWarnings(env: EnvRecord): SettingWarning[] {
  return Object.entries(REFERENCE_ONLY_SETTINGS)
    .filter(([variable]) => (env[variable] ?? '').trim() !== '')
    .map(([variable, reason]) => ({
      variable,
      message: `${variable} is set but TestIO MCP does not use it: ${reason}. Remove it from the environment or the env file to silence this warning`,
    }));
}

/**
 * Parses settings with `schema`, treating empty strings as unset. A bad value throws an
 * InvalidInputError whose message names each variable, the value and what is allowed.
 */
export function parseSettings<S extends z.ZodObject>(schema: S, env: EnvRecord): Readonly<z.infer<S>> {
  const relevant: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value.trim() !== '') relevant[key] = value;
  }
  const result = schema.safeParse(relevant);
  if (!result.success) {
    const issues: InvalidInputIssue[] = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const shown = key.includes('TOKEN') || key.includes('KEY') ? '[REDACTED]' : `'${relevant[key] ?? ''}'`;
      return { field: key, message: `${key}=${shown} is not valid: ${issue.message}` };
    });
    throw new InvalidInputError({
      message: `Invalid configuration: ${issues.map((i) => i.message).join('; ')}`,
      reason: 'Settings come from the environment and the env file, and are checked once at start-up',
      hint: 'Fix or unset the variable named above (see README.md, "Configuration"), then start again',
      issues,
    });
  }
  checkPlaybookThresholds(result.data as Record<string, unknown>);
  return Object.freeze(result.data);
}

export type ThresholdDirection = 'above' | 'below';

export interface PlaybookThreshold {
  readonly warning: number;
  readonly critical: number;
  /** `above`: higher is worse (critical > warning); `below`: lower is worse (critical < warning). */
  readonly direction: ThresholdDirection;
}

export interface PlaybookThresholds {
  readonly rejection_rate: PlaybookThreshold;
  readonly auto_acceptance_rate: PlaybookThreshold;
  readonly review_rate: PlaybookThreshold;
}

const THRESHOLD_VARIABLES = [
  ['PLAYBOOK_REJECTION_WARNING', 'PLAYBOOK_REJECTION_CRITICAL', 'above'],
  ['PLAYBOOK_AUTO_ACCEPTANCE_WARNING', 'PLAYBOOK_AUTO_ACCEPTANCE_CRITICAL', 'above'],
  ['PLAYBOOK_REVIEW_WARNING', 'PLAYBOOK_REVIEW_CRITICAL', 'below'],
] as const;

/**
 * The playbook thresholds must be ordered: for rates where higher is worse (rejection, auto-acceptance)
 * warning < critical; for the review rate (lower is worse) warning > critical. Settings schemas that
 * hold the variables are checked by `parseSettings`.
 */
function checkPlaybookThresholds(settings: Record<string, unknown>): void {
  for (const [warningKey, criticalKey, direction] of THRESHOLD_VARIABLES) {
    const warning = settings[warningKey];
    const critical = settings[criticalKey];
    if (typeof warning !== 'number' || typeof critical !== 'number') continue;
    const ordered = direction === 'above' ? warning < critical : warning > critical;
    if (ordered) continue;
    throw new InvalidInputError({
      field: warningKey,
      message: `Invalid configuration: ${warningKey}=${warning} must be ${direction === 'above' ? 'below' : 'above'} ${criticalKey}=${critical}`,
      reason:
        direction === 'above'
          ? 'A higher rate is worse, so the warning level must come before (be lower than) the critical level'
          : 'A lower review rate is worse, so the warning level must be higher than the critical level',
      hint: `Fix ${warningKey} or ${criticalKey} (defaults ${direction === 'above' ? 'are warning < critical' : 'are 0.80 and 0.60'}), then start again`,
    });
  }
}

/** The thresholds block from parsed settings. */
export function playbookThresholdsFrom(settings: {
  readonly PLAYBOOK_REJECTION_WARNING: number;
  readonly PLAYBOOK_REJECTION_CRITICAL: number;
  readonly PLAYBOOK_AUTO_ACCEPTANCE_WARNING: number;
  readonly PLAYBOOK_AUTO_ACCEPTANCE_CRITICAL: number;
  readonly PLAYBOOK_REVIEW_WARNING: number;
  readonly PLAYBOOK_REVIEW_CRITICAL: number;
}): PlaybookThresholds {
  return {
    rejection_rate: {
      warning: settings.PLAYBOOK_REJECTION_WARNING,
      critical: settings.PLAYBOOK_REJECTION_CRITICAL,
      direction: 'above',
    },
    auto_acceptance_rate: {
      warning: settings.PLAYBOOK_AUTO_ACCEPTANCE_WARNING,
      critical: settings.PLAYBOOK_AUTO_ACCEPTANCE_CRITICAL,
      direction: 'above',
    },
    review_rate: {
      warning: settings.PLAYBOOK_REVIEW_WARNING,
      critical: settings.PLAYBOOK_REVIEW_CRITICAL,
      direction: 'below',
    },
  };
}

export function parseSharedSettings(env: EnvRecord): Readonly<SharedSettings> {
  return parseSettings(sharedSettingsSchema, env);
}

/** Hosts that only this machine can reach; anything else exposes a server to the network. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** A TCP port; 0 asks the system for any free one (handy for tests and side-by-side runs). */
export const portSchema = intIn(0, 65_535);
export const hostSchema = z.string().trim().min(1);
