import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SandboxContext } from './context.js';
import { sendError } from './http.js';

/** Path relative to the API prefix, query included, as the request log reports it. */
function relativeUrl(req: Request): string {
  return req.url;
}

function relativePath(req: Request): string {
  return req.path;
}

export function requestLogging(context: SandboxContext): RequestHandler {
  return (req, res, next) => {
    const entry = { method: req.method, path: relativeUrl(req) };
    let logged = false;
    const record = (status: number) => {
      if (logged) return;
      logged = true;
      context.log.add({ ...entry, status });
    };
    res.on('finish', () => record(res.statusCode));
    // A request held open by a timeout fault ends with the client giving up: status 0.
    res.on('close', () => record(res.writableFinished ? res.statusCode : 0));
    next();
  };
}

export function latency(context: SandboxContext): RequestHandler {
  return (_req, _res, next) => {
    const ms = context.faults.latencyMs();
    if (ms <= 0) {
      next();
      return;
    }
    const timer = setTimeout(() => {
      context.timers.delete(timer);
      next();
    }, ms);
    context.timers.add(timer);
  };
}

const FORBIDDEN_PATH = /^\/products\/[^/]+(\/|$)/;

export function authentication(context: SandboxContext): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    // The blueprint writes both `Token` and `token`; the scheme is matched case-insensitively.
    const match = /^token\s+(\S+)\s*$/i.exec(header);
    const token = match?.[1];
    if (token === undefined) {
      sendError(res, 401, 'Unauthorized: missing API token (send "Authorization: Token <token>")');
      return;
    }
    if (token === context.token) {
      next();
      return;
    }
    if (context.forbiddenToken !== null && token === context.forbiddenToken) {
      if (FORBIDDEN_PATH.test(relativePath(req)) || req.method === 'PUT') {
        sendError(res, 403, 'Forbidden: this token is not allowed to access this resource');
        return;
      }
      next();
      return;
    }
    sendError(res, 401, 'Unauthorized: invalid API token');
  };
}

/** Request-level faults, in the order a real stack would hit them: hang, throttle, crash, garble. */
export function faultInjection(context: SandboxContext): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const { faults } = context;
    const path = relativePath(req);
    if (faults.takeTimeout(path)) return;
    const retryAfter = faults.takeRateLimit(req.method);
    if (retryAfter !== null) {
      res.set('Retry-After', String(retryAfter));
      sendError(res, 429, 'Rate limit exceeded');
      return;
    }
    if (faults.takeRandomFailure()) {
      sendError(res, 500, 'Internal Server Error');
      return;
    }
    const malformed = faults.takeMalformed(path);
    if (malformed) res.locals['malformed'] = malformed;
    next();
  };
}
