import os from 'node:os';
import type { Lease } from '@testio-mcp/domain';

/** `<role>:<pid>@<host>`: enough to tell, on this host, whether a lease holder is still alive. */
export function leaseHolderId(role: string): string {
  return `${role}:${process.pid}@${os.hostname()}`;
}

/**
 * A lease held by a process of this host that no longer exists can be taken at once instead of waiting
 * for it to expire (a crashed or killed worker must not block syncing). Pass as `canStealLease`.
 */
export function isDeadLocalHolder(lease: Lease): boolean {
  const match = /^[^:]+:(\d+)@(.+)$/.exec(lease.holder);
  if (!match || match[2] !== os.hostname()) return false;
  const pid = Number(match[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
