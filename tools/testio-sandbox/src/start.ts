import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { startOfUtcDay } from './clock.js';
import { FaultController } from './faults.js';
import { RequestLog } from './request-log.js';
import { createSandboxApp } from './server/app.js';
import type { SandboxContext } from './server/context.js';
import { Account } from './state/account.js';
import { advanceAccount } from './state/advance.js';
import { computeTruth } from './state/truth.js';
import {
  API_PREFIX,
  DEFAULT_SANDBOX_SEED,
  DEFAULT_SANDBOX_TOKEN,
  SANDBOX_SCALES,
  type RunningSandbox,
  type StartSandboxOptions,
} from './types.js';

export const DEFAULT_FORBIDDEN_TOKEN = 'forbidden-token';

/** Generates the account and wires the state a sandbox app serves; no socket yet. */
export function createSandboxContext(options: StartSandboxOptions = {}): SandboxContext {
  const seed = options.seed ?? DEFAULT_SANDBOX_SEED;
  const scale = options.scale ?? 'small';
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (!SANDBOX_SCALES.includes(scale))
    throw new Error(`scale must be one of ${SANDBOX_SCALES.join(', ')}, got ${String(scale)}`);
  const token = options.token ?? DEFAULT_SANDBOX_TOKEN;
  const anchor = options.anchor ?? startOfUtcDay(new Date());
  if (Number.isNaN(anchor.getTime())) throw new Error('anchor is not a valid date');

  const context: SandboxContext = {
    account: new Account(seed, scale, anchor.getTime()),
    faults: new FaultController(seed, options.faults),
    log: new RequestLog(),
    token,
    forbiddenToken: options.forbiddenToken === undefined ? DEFAULT_FORBIDDEN_TOKEN : options.forbiddenToken,
    timers: new Set(),
  };
  return context;
}

/** Builds the simulated account and serves it until `close()`. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const context = createSandboxContext(options);
  const token = context.token;
  const app = createSandboxApp(context);
  const host = options.host ?? '127.0.0.1';

  const server = createServer(app);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('sandbox server has no TCP address');
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${urlHost}:${address.port}`;
  let closing: Promise<void> | null = null;

  return {
    baseUrl: `${origin}${API_PREFIX}`,
    origin,
    port: address.port,
    token,
    setFaults: (faults) => context.faults.set(faults),
    advance: (advanceOptions) => advanceAccount(context.account, advanceOptions),
    truth: (truthOptions) => computeTruth(context.account, truthOptions?.perTest ?? false),
    requestLog: () => context.log.list(),
    resetRequestLog: () => context.log.reset(),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of context.timers) clearTimeout(timer);
        context.timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        // Requests held open by timeout faults would otherwise keep close() waiting forever.
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
