import type { Logger } from '@testio-mcp/domain';
import { createAnalyticsReader } from '../readers/analytics-reader.js';
import { createMirrorReader } from '../readers/mirror-reader.js';
import { createMirrorSearch } from '../readers/mirror-search.js';
import type { Sqlite } from '../sqlite.js';
import { laneOf, type PortName } from './protocol.js';

/** Runs one port call by name on a connection: what a read worker does with each request. */
export type ReadHandler = (port: PortName, method: string, args: readonly unknown[]) => Promise<unknown>;

/**
 * The three read ports over `db`, called by name. Only the ports' own methods are reachable (the lane
 * table is the whitelist), so a message can never name anything else.
 */
export function createReadHandler(db: Sqlite, customerId: number, logger?: Logger): ReadHandler {
  const ports: Record<PortName, object> = {
    reader: createMirrorReader(db, customerId),
    analytics: createAnalyticsReader(db, customerId),
    search: createMirrorSearch(db, customerId, logger),
  };
  return async (port, method, args) => {
    if (!laneOf(port, method)) throw new TypeError(`unknown read port method ${port}.${method}`);
    const target = ports[port] as Record<string, (...a: readonly unknown[]) => Promise<unknown>>;
    return (target[method] as (...a: readonly unknown[]) => Promise<unknown>)(...args);
  };
}
