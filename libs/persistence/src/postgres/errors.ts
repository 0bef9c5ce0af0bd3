import { ConflictError, DatabaseBusyError, isDomainError } from '@testio-mcp/domain';

interface PgError {
  readonly code: string;
}

function pgCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as Partial<PgError>).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * PostgreSQL errors as domain errors, in words that never show the driver's message: unique violation
 * (23505) → `ConflictError`, foreign key violation (23503) → `ConflictError`, serialization failure,
 * deadlock and lock timeout (40001, 40P01, 55P03) → `DatabaseBusyError`. Anything else is returned unchanged.
 */
export function pgDomainError(error: unknown): unknown {
  if (isDomainError(error)) return error;
  switch (pgCode(error)) {
    case '23505':
      return new ConflictError({
        message: 'The record already exists',
        reason: 'A row with the same key is already stored',
        cause: error,
      });
    case '23503':
      return new ConflictError({
        message: 'The record refers to a record the mirror does not hold',
        reason: 'A foreign key check failed',
        hint: 'Sync the parent records (products before features and tests, tests before bugs) first',
        cause: error,
      });
    case '40001':
    case '40P01':
    case '55P03':
      return new DatabaseBusyError({
        message: 'The database is busy',
        reason:
          'Another transaction held the rows this one needed (PostgreSQL serialization failure or deadlock)',
        hint: 'Retry in a moment; if it persists, check for another running sync',
        cause: error,
      });
    default:
      return error;
  }
}

/** Runs a statement (or several) and answers its errors in the domain's terms (`pgDomainError`). */
export async function withPgErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw pgDomainError(error);
  }
}
