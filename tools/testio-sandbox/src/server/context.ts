import type { FaultController } from '../faults.js';
import type { RequestLog } from '../request-log.js';
import type { Account } from '../state/account.js';

/** Everything a route needs; one per running sandbox. */
export interface SandboxContext {
  account: Account;
  faults: FaultController;
  log: RequestLog;
  token: string;
  /** A valid token that may list but is refused single products and writes (403); null disables it. */
  forbiddenToken: string | null;
  /** Pending latency timers, cleared on close so nothing keeps the process alive. */
  timers: Set<NodeJS.Timeout>;
}
