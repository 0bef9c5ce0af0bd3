import express, { type ErrorRequestHandler, type Express, Router } from 'express';
import { API_PREFIX } from '../types.js';
import type { SandboxContext } from './context.js';
import { HttpError, sendError } from './http.js';
import { authentication, faultInjection, latency, requestLogging } from './middleware.js';
import { bugRoutes } from './routes/bugs.js';
import { catalogRoutes } from './routes/catalog.js';
import { controlRoutes } from './routes/control.js';
import { testRoutes } from './routes/tests.js';

const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  if (error instanceof HttpError) {
    sendError(res, error.status, error.message);
    return;
  }
  // body-parser marks its errors with a status (400 bad JSON, 413 too large).
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    sendError(res, status, status === 400 ? 'Request body is not valid JSON' : 'Bad request');
    return;
  }
  process.stderr.write(
    `testio-sandbox: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  sendError(res, 500, 'Internal Server Error');
};

/** The HTTP surface of one sandbox; `startSandbox` listens on it. */
export function createSandboxApp(context: SandboxContext): Express {
  const app = express();
  app.disable('x-powered-by');
  // The real API sends no ETag, and clients must not learn to rely on one.
  app.set('etag', false);

  app.use('/_sandbox', controlRoutes(context));

  const api = Router();
  api.use(requestLogging(context));
  api.use(latency(context));
  api.use(authentication(context));
  api.use(faultInjection(context));
  api.use(express.json());
  api.use(catalogRoutes(context));
  api.use(testRoutes(context));
  api.use(bugRoutes(context));
  api.use((req, res) => sendError(res, 404, `No route for ${req.method} ${req.path}`));
  api.use(errorHandler);
  app.use(API_PREFIX, api);

  app.use((req, res) => sendError(res, 404, `No route for ${req.method} ${req.path}`));
  app.use(errorHandler);
  return app;
}
