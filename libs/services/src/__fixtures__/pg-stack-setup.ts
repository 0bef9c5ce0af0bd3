import { randomBytes } from 'node:crypto';
import {
  onPgServer as onServer,
  pgTestServerUrl,
  TEST_DATABASE_URL_VARIABLE,
} from '@testio-mcp/persistence/testing';
import type { TestProject } from 'vitest/node';
import { stackTemplateName } from './pg-stack-template.js';

/**
 * vitest globalSetup: names this run's synced PostgreSQL template (pg-stack-template.ts) and drops it when
 * the run ends. A throwaway server (no TESTIO_TEST_DATABASE_URL) belongs to one test process and goes with
 * it, templates included.
 */
export default function setup(project: TestProject): () => Promise<void> {
  const runId = randomBytes(6).toString('hex');
  project.provide('servicesStackRunId', runId);
  return async () => {
    if (!process.env[TEST_DATABASE_URL_VARIABLE]?.trim()) return;
    await onServer(await pgTestServerUrl(), (c) =>
      c.query(`DROP DATABASE IF EXISTS "${stackTemplateName(runId)}" WITH (FORCE)`),
    );
  };
}
