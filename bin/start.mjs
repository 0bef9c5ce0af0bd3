// `npm start`: the main job. It runs the sync worker (and, as they land, the MCP server and the REST
// API) as child processes with prefixed logs. With no TestIO token it first starts the embedded
// sandbox and points everything at it: demo mode, loudly labelled. Ctrl-C stops everything cleanly.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('./testio-mcp.mjs', import.meta.url));
const DEMO_PORT = 4010;
const STOP_TIMEOUT_MS = 15_000;

function parsePort(value, name) {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name}='${value}' is not valid: expected a port number between 0 and 65535`);
  }
  return port;
}

/** Runs `testio-mcp <args>` as a child whose output lines are prefixed with its name. */
function startChild(name, args, env) {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}]`.padEnd(9);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stderr.write(`${prefix} ${line}\n`));
  }
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { name, child, exited };
}

async function stopChild({ name, child, exited }) {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    process.stderr.write(`  ${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s, killing it\n`);
    child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

/**
 * @param {string[]} _args
 * @param {Record<string, string | undefined>} env
 */
export async function runStart(_args, env) {
  const token = env.TESTIO_CUSTOMER_API_TOKEN?.trim();
  let sandbox = null;
  const childEnv = { ...env };

  if (!token) {
    const { startSandbox, SANDBOX_SCALES } = await import('@testio-mcp/testio-sandbox');
    const scale = env.TESTIO_SANDBOX_SCALE ?? 'small';
    if (!SANDBOX_SCALES.includes(scale)) {
      throw new Error(`TESTIO_SANDBOX_SCALE='${scale}' is not valid: expected one of ${SANDBOX_SCALES.join(', ')}`);
    }
    const port = parsePort(env.TESTIO_SANDBOX_PORT, 'TESTIO_SANDBOX_PORT') ?? DEMO_PORT;
    sandbox = await startSandbox({ port, scale, seed: 7 });
    Object.assign(childEnv, {
      TESTIO_CUSTOMER_API_TOKEN: sandbox.token,
      TESTIO_CUSTOMER_API_BASE_URL: sandbox.baseUrl,
      TESTIO_DB_PATH: env.TESTIO_DB_PATH || path.join(os.homedir(), '.testio-mcp', 'demo.db'),
      TESTIO_DEMO_MODE: 'true',
    });
  }

  process.stderr.write(
    [
      '',
      ...(sandbox
        ? [
            '  ┌─────────────────────────────────────────────────────────────────────┐',
            '  │  DEMO MODE: no TESTIO_CUSTOMER_API_TOKEN, serving simulated data    │',
            '  └─────────────────────────────────────────────────────────────────────┘',
            '',
            `  TestIO sandbox   ${sandbox.baseUrl}   (Authorization: Token ${sandbox.token})`,
            `  ground truth     ${sandbox.origin}/_sandbox/truth`,
          ]
        : [`  TestIO API       ${childEnv.TESTIO_CUSTOMER_API_BASE_URL || 'https://api.test.io/customer/v2'}`]),
      `  SQLite mirror    ${childEnv.TESTIO_DB_PATH || '~/.testio-mcp/cache.db'} (kept fresh by the sync worker)`,
      '',
      '  Coming with the next milestones, started by this same command:',
      '    MCP server     http://127.0.0.1:8080/mcp',
      '    REST API       http://127.0.0.1:8081/api  (docs at /docs)',
      '',
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  const children = [startChild('worker', ['worker'], childEnv)];
  let stopping = false;

  await new Promise((resolve) => {
    const stopAll = async (reason) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n  ${reason}, stopping...\n`);
      const results = await Promise.all(children.map(stopChild));
      if (results.some((r) => r.code !== 0 && r.code !== null)) process.exitCode = 1;
      if (sandbox) await sandbox.close();
      process.stderr.write('  stopped.\n');
      resolve();
    };
    process.once('SIGINT', () => void stopAll('SIGINT received'));
    process.once('SIGTERM', () => void stopAll('SIGTERM received'));
    for (const c of children) {
      c.exited.then(({ code }) => {
        if (!stopping) {
          process.exitCode = code === 0 ? 0 : 1;
          void stopAll(`${c.name} exited with code ${code}`);
        }
      });
    }
  });
}
