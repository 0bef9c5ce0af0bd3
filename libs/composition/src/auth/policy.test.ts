import type { Principal } from '@testio-mcp/domain';
import { describe, expect, it } from 'vitest';
import { mayAct, refusalParts, roleForRequest, roleForTool, serverAdminRefusal } from './policy.js';
import { isWriteRequest, readOnlyRefusalParts } from './read-only.js';

const viewer: Principal = { id: 'tmcp_0123456789ab', tenant: 'default', role: 'viewer' };
const acmeAdmin: Principal = { id: 'tmcp_ba9876543210', tenant: 'acme', role: 'admin' };

describe('who may do what (ADR 0022)', () => {
  it('reads need viewer, syncs operator, the admin API and unknown writes admin', () => {
    expect(roleForTool('list_products')).toBe('viewer');
    expect(roleForTool('sync_data')).toBe('operator');
    expect(roleForRequest('GET', '/api/products')).toBe('viewer');
    expect(roleForRequest('post', '/api/analytics/query')).toBe('viewer');
    expect(roleForRequest('POST', '/api/analytics/chart/')).toBe('viewer');
    expect(roleForRequest('POST', '/api/sync')).toBe('operator');
    expect(roleForRequest('POST', '/api/something-new')).toBe('admin');
    expect(roleForRequest('DELETE', '/api/products/1')).toBe('admin');
    expect(roleForRequest('GET', '/api/admin/tenants')).toBe('admin');
  });

  it('roles are ordered; no principal (open loopback) may do everything', () => {
    expect(mayAct(viewer, 'viewer')).toBe(true);
    expect(mayAct(viewer, 'operator')).toBe(false);
    expect(mayAct(acmeAdmin, 'operator')).toBe(true);
    expect(mayAct(undefined, 'admin')).toBe(true);
  });

  it('a refusal names the role needed, the key and how to get one', () => {
    const parts = refusalParts(viewer, 'operator', 'sync_data');
    expect(parts.message).toBe('sync_data needs the operator role; key tmcp_0123456789ab is a viewer');
    expect(parts.hint).toContain('--tenant default --role operator');
  });

  it('the admin API takes an admin of default only', () => {
    expect(serverAdminRefusal(acmeAdmin, '/api/admin/keys')?.message).toBe(
      '/api/admin/keys needs an admin of tenant default; key tmcp_ba9876543210 is an admin of tenant acme',
    );
    expect(serverAdminRefusal(acmeAdmin, '/api/products')).toBeUndefined();
    expect(serverAdminRefusal({ ...acmeAdmin, tenant: 'default' }, '/api/admin/keys')).toBeUndefined();
    expect(serverAdminRefusal(undefined, '/api/admin/keys')).toBeUndefined();
  });
});

describe('the read-only switch (ADR 0028)', () => {
  it('refuses syncs and other writes, never a read (the admin API GETs and the analytics POSTs included)', () => {
    expect(isWriteRequest('POST', '/api/sync')).toBe(true);
    expect(isWriteRequest('POST', '/api/admin/keys')).toBe(true);
    expect(isWriteRequest('DELETE', '/api/admin/tenants/acme')).toBe(true);
    expect(isWriteRequest('GET', '/api/admin/tenants')).toBe(false);
    expect(isWriteRequest('head', '/api/products')).toBe(false);
    expect(isWriteRequest('POST', '/api/analytics/query')).toBe(false);
  });

  it('says what was refused, why, and what to do instead', () => {
    const parts = readOnlyRefusalParts('POST /api/sync');
    expect(parts.message).toBe('POST /api/sync is not available: this server is read-only');
    expect(parts.reason).toMatch(/--read-only/);
    expect(parts.hint).toMatch(/without output_file/);
  });
});
