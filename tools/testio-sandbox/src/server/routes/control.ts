import express, { Router } from 'express';
import { InvalidFaultsError } from '../../faults.js';
import { InvalidAdvanceError, advanceAccount } from '../../state/advance.js';
import { computeTruth } from '../../state/truth.js';
import type { SandboxContext } from '../context.js';
import { HttpError, sendJson, singleQuery } from '../http.js';

function optionalNumber(bodyValue: unknown, queryValue: unknown, name: string): number | undefined {
  const raw = bodyValue ?? singleQuery(queryValue);
  if (raw === undefined || raw === '') return undefined;
  const value = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(value))
    throw new HttpError(400, `${name} must be a number, got ${JSON.stringify(raw)}`);
  return value;
}

/** `/_sandbox/*`: steering for tests and benchmarks. No token, no faults, not logged. */
export function controlRoutes(context: SandboxContext): Router {
  const router = Router();
  const { account, faults, log } = context;
  router.use(express.json());

  router.get('/health', (_req, res) => {
    sendJson(res, {
      ok: true,
      seed: account.seed,
      scale: account.scale,
      now: new Date(account.now).toISOString(),
    });
  });

  router.get('/truth', (req, res) => {
    const perTest = ['1', 'true'].includes(singleQuery(req.query['per_test']) ?? '');
    sendJson(res, computeTruth(account, perTest));
  });

  router.post('/advance', (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const days = optionalNumber(body['days'], req.query['days'], 'days');
      const hours = optionalNumber(body['hours'], req.query['hours'], 'hours');
      sendJson(
        res,
        advanceAccount(account, {
          ...(days !== undefined ? { days } : {}),
          ...(hours !== undefined ? { hours } : {}),
        }),
      );
    } catch (error) {
      if (error instanceof InvalidAdvanceError) throw new HttpError(400, error.message);
      throw error;
    }
  });

  router.get('/faults', (_req, res) => {
    sendJson(res, { faults: faults.current() });
  });

  router.post('/faults', (req, res) => {
    try {
      faults.set(req.body ?? {});
    } catch (error) {
      if (error instanceof InvalidFaultsError) throw new HttpError(400, error.message);
      throw error;
    }
    sendJson(res, { faults: faults.current() });
  });

  router.delete('/faults', (_req, res) => {
    faults.set({});
    sendJson(res, { faults: faults.current() });
  });

  router.get('/requests', (_req, res) => {
    sendJson(res, { requests: log.list() });
  });

  router.delete('/requests', (_req, res) => {
    log.reset();
    sendJson(res, { requests: [] });
  });

  return router;
}
