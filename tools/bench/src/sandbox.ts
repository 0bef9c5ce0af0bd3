import { startSandbox, type RunningSandbox, type SandboxScale } from '@testio-mcp/testio-sandbox';

/** Every benchmark and reliability run uses the same generated account: seed 7, anchored on 2025-06-01. */
export const BENCH_SEED = 7;
export const BENCH_ANCHOR = new Date('2025-06-01T00:00:00.000Z');

export const SCALES = ['demo', 'small', 'medium', 'large'] as const satisfies readonly SandboxScale[];
export type Scale = (typeof SCALES)[number];

export function startBenchSandbox(options: {
  scale: Scale;
  latencyMs?: number;
  token?: string;
  port?: number;
}): Promise<RunningSandbox> {
  return startSandbox({
    port: options.port ?? 0,
    host: '127.0.0.1',
    seed: BENCH_SEED,
    scale: options.scale,
    anchor: BENCH_ANCHOR,
    ...(options.token ? { token: options.token } : {}),
    ...(options.latencyMs ? { faults: { latencyMs: options.latencyMs } } : {}),
  });
}
