import { EXPORT_PARAMETERS, isWriteRequest, readOnlyRefusalParts } from '@testio-mcp/composition';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError } from './errors.js';

/**
 * `--read-only` (ADR 0028): a write answers 403 `read_only` before authentication and the role check.
 * 403 rather than 404: the route exists in the API's contract and other deployments serve it, so a
 * client should learn that this server refuses it by configuration (no key or retry will help), not
 * that it mistyped a path.
 */
export function readOnlyMiddleware(basePath: string): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const path = req.path;
    if (!path.startsWith('/api/')) return next();
    // overwrite alone writes nothing; output_file is what starts an export.
    const exports = req.query['output_file'] !== undefined;
    if (!exports && !isWriteRequest(req.method, path)) return next();
    const what = `${req.method} ${basePath}${path}${exports ? ' with output_file' : ''}`;
    const parts = readOnlyRefusalParts(what);
    return next(new HttpError(403, 'read_only', `${parts.message}. ${parts.reason}`, parts.hint));
  };
}

/**
 * The OpenAPI document of a read-only server: without the writing operations and the export
 * parameters, so generated clients and /docs show only what answers.
 */
export function readOnlySpec(spec: Record<string, unknown>): Record<string, unknown> {
  type Operation = { parameters?: Array<{ name: string; in: string }> };
  const paths = (spec['paths'] ?? {}) as Record<string, Record<string, Operation>>;
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      if (isWriteRequest(method, path)) {
        delete operations[method];
        continue;
      }
      if (operation.parameters) {
        operation.parameters = operation.parameters.filter(
          (p) => !(p.in === 'query' && (EXPORT_PARAMETERS as readonly string[]).includes(p.name)),
        );
      }
    }
    if (Object.keys(operations).every((key) => key === 'parameters' || key.startsWith('x-')))
      delete paths[path];
  }
  const info = (spec['info'] ?? {}) as Record<string, unknown>;
  spec['info'] = {
    ...info,
    description: `${typeof info['description'] === 'string' ? `${info['description']}\n\n` : ''}This server is read-only (--read-only): on-demand syncs and report exports are not served.`,
  };
  return spec;
}

/** The bug triage routes (ADR 0032). */
const TRIAGE_PATH = /^\/api\/bugs\/(\d+\/(accept|reject|mark_known|mark_fixed)|triage)\/?$/i;

/**
 * Without TESTIO_ENABLE_WRITES the triage routes answer 403 `writes_disabled` (before authentication, as
 * no key could make them succeed): they are in the API's contract, this server turns them off.
 */
export function writesDisabledMiddleware(basePath: string): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || !TRIAGE_PATH.test(req.path)) return next();
    return next(
      new HttpError(
        403,
        'writes_disabled',
        `${req.method} ${basePath}${req.path} is not available: bug triage is off on this server. Writes to TestIO change a customer's data and the testers' payouts, so they are served only when turned on`,
        'Ask whoever runs this server to start it with TESTIO_ENABLE_WRITES=true (and without --read-only)',
      ),
    );
  };
}
