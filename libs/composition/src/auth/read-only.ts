import { roleForRequest } from './policy.js';

/**
 * The read-only switch's rules (ADR 0028), shared by MCP and REST so both say the same thing.
 * A request writes when the role policy places it above viewer (a sync, anything not known to read) and
 * it is not a GET: the admin API's GETs need admin but change nothing. A read writes too when it asks
 * for an export.
 */

/** Parameters that make a report write files into the export directory. */
export const EXPORT_PARAMETERS = ['output_file', 'overwrite'] as const;

export function isWriteRequest(method: string, path: string): boolean {
  const verb = method.toUpperCase();
  if (verb === 'GET' || verb === 'HEAD') return false;
  return roleForRequest(method, path) !== 'viewer';
}

/** The three parts of the answer to a write on a read-only server. */
export function readOnlyRefusalParts(what: string): { message: string; reason: string; hint: string } {
  return {
    message: `${what} is not available: this server is read-only`,
    reason:
      'It was started with --read-only (TESTIO_READ_ONLY=true), which leaves out everything that writes: on-demand syncs and report exports. The background sync still keeps the mirror fresh',
    hint: 'Ask without the write (e.g. the report without output_file), or use a server started without --read-only',
  };
}
