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

function numberIn(min: number, max: number) {
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
      ctx.addIssue({ code: 'custom', message: `expected comma-separated numeric ids, got ${bad.map((b) => `'${b}'`).join(', ')}` });
      return z.NEVER;
    }
    return [...new Set(parts.map(Number))];
  });

export const sharedSettingsSchema = z.object({
  /** Absent ⇒ demo mode: the embedded sandbox stands in for TestIO. */
  TESTIO_CUSTOMER_API_TOKEN: z.string().trim().min(1).optional(),
  TESTIO_CUSTOMER_API_BASE_URL: z.url({ message: 'expected an http(s) URL' }).default(PRODUCTION_API_BASE_URL),
  TESTIO_CUSTOMER_ID: intIn(1, Number.MAX_SAFE_INTEGER).default(1),
  TESTIO_CUSTOMER_NAME: z.string().trim().min(1).default('default'),
  TESTIO_DB_PATH: z.string().trim().min(1).optional(),
  TESTIO_PRODUCT_IDS: idListFromEnv.optional(),
  TESTIO_REFRESH_INTERVAL_SECONDS: intIn(0, 7 * 24 * 3600).default(3600),
  TESTIO_SYNC_SINCE: z.string().trim().min(1).optional(),
  CACHE_TTL_SECONDS: intIn(60, 86_400).default(3600),
  MAX_CONCURRENT_API_REQUESTS: intIn(1, 50).default(10),
  HTTP_TIMEOUT_SECONDS: numberIn(1, 300).default(90),
  TESTIO_DEFAULT_PAGE_SIZE: intIn(1, 200).default(100),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .transform((v) => (v === 'warning' ? 'warn' : v === 'critical' ? 'fatal' : v))
    .pipe(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'], { message: 'expected DEBUG, INFO, WARNING, ERROR or CRITICAL' }))
    .default('info'),
  LOG_FORMAT: z.enum(['json', 'text'], { message: 'expected json or text' }).optional(),
  TESTIO_FORCE_INITIAL_SYNC: booleanFromEnv.default(false),
});
export type SharedSettings = z.infer<typeof sharedSettingsSchema>;

export type EnvRecord = Readonly<Record<string, string | undefined>>;

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
  return Object.freeze(result.data);
}

export function parseSharedSettings(env: EnvRecord): Readonly<SharedSettings> {
  return parseSettings(sharedSettingsSchema, env);
}

/** Hosts that only this machine can reach; anything else exposes a server to the network. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** A TCP port; 0 asks the system for any free one (handy for tests and side-by-side runs). */
export const portSchema = intIn(0, 65_535);
export const hostSchema = z.string().trim().min(1);
