import {
  ConflictError,
  DatabaseBusyError,
  type AnalyticsReader,
  type EntityKind,
  InvalidInputError,
  type InvalidInputIssue,
  isDomainError,
  type MirrorReader,
  NotFoundError,
  type SearchPort,
} from '@testio-mcp/domain';

/**
 * What passes between the serving thread and a read worker (ADR 0027). Arguments and answers are the
 * ports' own plain values (rows, Dates), copied by structured clone; errors travel as plain records and
 * are rebuilt as the domain errors they were, so the apps map them exactly as they map in-loop ones.
 */

/** Heavy reads scan a large part of the mirror; light reads touch a page of rows through an index. */
export type Lane = 'light' | 'heavy';

/** Every method of the three read ports and its lane: exhaustive, so a new port method must choose. */
export const READER_LANES: Readonly<Record<keyof MirrorReader, Lane>> = {
  listProducts: 'light',
  productsSyncedAt: 'light',
  getProduct: 'light',
  getProductSummary: 'light',
  listTests: 'light',
  getTestRefs: 'light',
  getTestDetail: 'light',
  listBugsOfTest: 'light',
  listFeatures: 'light',
  getFeatureDetail: 'light',
  listUsers: 'light',
  getUserSummary: 'light',
  usersSeenAt: 'light',
  listBugs: 'light',
  getBugDetail: 'light',
  // Counts every table (a million bugs at `large`).
  stats: 'heavy',
  lastTestsSyncAt: 'light',
  listProblematicRanges: 'light',
};

export const ANALYTICS_LANES: Readonly<Record<keyof AnalyticsReader, Lane>> = {
  runMetricQuery: 'heavy',
  reportTests: 'heavy',
  reportBreakdowns: 'heavy',
  listPlatforms: 'heavy',
};

export const SEARCH_LANES: Readonly<Record<keyof SearchPort, Lane>> = { search: 'heavy' };

export const PORT_LANES = {
  reader: READER_LANES,
  analytics: ANALYTICS_LANES,
  search: SEARCH_LANES,
} as const;

export type PortName = keyof typeof PORT_LANES;

export interface ReadRequest {
  readonly type: 'read';
  readonly id: number;
  readonly port: PortName;
  readonly method: string;
  readonly args: readonly unknown[];
}

export interface CloseRequest {
  readonly type: 'close';
}

export type ToWorker = ReadRequest | CloseRequest;

/** A domain error or any other failure, as plain data. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly reason?: string;
  readonly hint?: string;
  readonly field?: string;
  readonly issues?: readonly InvalidInputIssue[];
  readonly entity?: EntityKind;
  readonly entityId?: string | number;
  readonly stack?: string;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly value: unknown }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError }
  | {
      readonly type: 'log';
      readonly level: 'error' | 'warn';
      readonly message: string;
      readonly error?: SerializedError;
    };

export function laneOf(port: string, method: string): Lane | undefined {
  const lanes = (PORT_LANES as Record<string, Record<string, Lane>>)[port];
  return lanes && Object.hasOwn(lanes, method) ? lanes[method] : undefined;
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const base = {
    name: error.name,
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
  };
  if (!isDomainError(error)) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { ...base, code } : base;
  }
  return {
    ...base,
    code: error.code,
    ...(error.reason === undefined ? {} : { reason: error.reason }),
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error instanceof InvalidInputError
      ? { ...(error.field === undefined ? {} : { field: error.field }), issues: error.issues }
      : {}),
    ...(error instanceof NotFoundError ? { entity: error.entity, entityId: error.id } : {}),
  };
}

/**
 * The error a port call rejects with on the serving thread. The domain errors a reader throws
 * (invalid input, not found, conflict, busy) come back as themselves; anything else stays a plain
 * `Error` (the apps log it and answer "unexpected error"), its worker stack kept for the log.
 */
export function reviveError(data: SerializedError): Error {
  const details = {
    message: data.message,
    ...(data.reason === undefined ? {} : { reason: data.reason }),
    ...(data.hint === undefined ? {} : { hint: data.hint }),
  };
  let error: Error;
  switch (data.code) {
    case 'invalid_input':
      error = new InvalidInputError({
        ...details,
        ...(data.field === undefined ? {} : { field: data.field }),
        ...(data.issues ? { issues: data.issues } : {}),
      });
      break;
    case 'not_found':
      error = new NotFoundError(data.entity ?? 'product', data.entityId ?? '?', details);
      break;
    case 'conflict':
      error = new ConflictError(details);
      break;
    case 'database_busy':
      error = new DatabaseBusyError(details);
      break;
    default: {
      error = new Error(data.message);
      error.name = data.name;
      if (data.code !== undefined) (error as Error & { code?: string }).code = data.code;
    }
  }
  if (data.stack) error.stack = data.stack;
  return error;
}
