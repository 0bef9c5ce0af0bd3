import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { isDeadLocalHolder, leaseHolderId } from './lease-holder.js';

const lease = (holder: string) => ({ holder, acquiredAt: new Date(), expiresAt: new Date() });

describe('lease holders', () => {
  it('names the role, the process and the host', () => {
    expect(leaseHolderId('sync-worker')).toBe(`sync-worker:${process.pid}@${os.hostname()}`);
  });

  it('judges a holder dead only when it is a process of this host that is gone', () => {
    const finished = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const deadPid = Number(finished.stdout.toString());
    expect(isDeadLocalHolder(lease(`sync-worker:${deadPid}@${os.hostname()}`))).toBe(true);
    expect(isDeadLocalHolder(lease(leaseHolderId('me')))).toBe(false);
    expect(isDeadLocalHolder(lease(`sync-worker:${process.ppid}@${os.hostname()}`))).toBe(false);
    expect(isDeadLocalHolder(lease(`sync-worker:${deadPid}@another-host`))).toBe(false);
    expect(isDeadLocalHolder(lease('engine-a'))).toBe(false);
  });
});
