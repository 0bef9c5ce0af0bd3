import { join, resolve } from 'node:path';

/** The repository root, the `testio-mcp` bin and where benchmark results go (git-ignored). */
export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(REPO_ROOT, 'bin/testio-mcp.mjs');
export const RESULTS_DIR = join(REPO_ROOT, 'bench-results');
/** Mirrors synced once per scale and reused by the read benchmarks (`--fresh` rebuilds them). */
export const MIRROR_CACHE_DIR = join(RESULTS_DIR, 'cache');
/** Preloaded into a soak's processes: prints their memory figures on SIGUSR2. */
export const MEMORY_PROBE = join(REPO_ROOT, 'tools/bench/src/memory-probe.cjs');
