import {
  ConflictError,
  DatabaseBusyError,
  type EntityKind,
  isDomainError,
  NotFoundError,
} from '@testio-mcp/domain';
import { Prisma } from './generated/prisma/client.js';

/** SQLite's busy/locked error as the domain's `DatabaseBusyError`, in words that name the engine. */
export function databaseBusy(cause?: unknown): DatabaseBusyError {
  return new DatabaseBusyError({
    message: 'The local database is busy',
    reason: 'Another process kept the SQLite database locked for longer than the busy timeout',
    hint: 'Retry in a moment; if it persists, check for another running sync or a tool holding the database open',
    cause,
  });
}

export interface ErrorContext {
  /** The entity the failing operation addressed, for not-found and conflict messages. */
  readonly entity?: EntityKind;
  readonly id?: string | number;
}

interface CodedError {
  readonly code: string;
}

function hasStringCode(error: unknown): error is CodedError {
  return (
    typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
  );
}

/** True for SQLite's "database is busy/locked" errors, from better-sqlite3 or through Prisma. */
export function isBusyError(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    return error.code === 'P1008' || error.code === 'P2034';
  }
  return hasStringCode(error) && /^SQLITE_(BUSY|LOCKED)/.test(error.code);
}

/**
 * Turns Prisma and SQLite errors into domain errors with our own messages (driver messages never reach
 * users): unique violations (P2002, SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY) → `ConflictError`, missing
 * records (P2025) → `NotFoundError`, busy/locked (SQLITE_BUSY, P1008, P2034) → `DatabaseBusyError`.
 * Anything else is returned unchanged (a bug, logged as such by the app's error boundary).
 */
export function toDomainError(error: unknown, context: ErrorContext = {}): unknown {
  if (isDomainError(error)) return error;
  if (isBusyError(error)) return databaseBusy(error);
  const code =
    error instanceof Prisma.PrismaClientKnownRequestError
      ? error.code
      : hasStringCode(error)
        ? error.code
        : '';
  const label = context.entity ? `${context.entity.replace('_', ' ')}` : 'record';
  switch (code) {
    case 'P2002':
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return new ConflictError({
        message: `The ${label}${context.id === undefined ? '' : ` '${context.id}'`} already exists`,
        reason: 'A row with the same key is already stored',
        cause: error,
      });
    case 'P2003':
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return new ConflictError({
        message: `The ${label}${context.id === undefined ? '' : ` '${context.id}'`} refers to a record the mirror does not hold`,
        reason: 'A foreign key check failed',
        hint: 'Sync the parent records (products before features and tests, tests before bugs) first',
        cause: error,
      });
    case 'P2025':
      if (context.entity) return new NotFoundError(context.entity, context.id ?? '?', { cause: error });
      return new ConflictError({ message: 'The record to change no longer exists', cause: error });
    default:
      return error;
  }
}

/** Runs `fn` and rethrows its failure as a domain error (see `toDomainError`). */
export async function mappingErrors<T>(fn: () => T | Promise<T>, context: ErrorContext = {}): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toDomainError(error, context);
  }
}
