import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseSizeBytes, defaultDatabasePath, demoDatabasePath, resolveUserPath } from './paths.js';

describe('database paths', () => {
  it('keeps the real and the demo mirror apart under ~/.testio-mcp', () => {
    expect(defaultDatabasePath('/home/ana')).toBe('/home/ana/.testio-mcp/cache.db');
    expect(demoDatabasePath('/home/ana')).toBe('/home/ana/.testio-mcp/demo.db');
  });

  it('expands ~ and makes relative paths absolute', () => {
    expect(resolveUserPath('~/m/x.db', '/home/ana', '/srv')).toBe('/home/ana/m/x.db');
    expect(resolveUserPath('data/x.db', '/home/ana', '/srv')).toBe('/srv/data/x.db');
    expect(resolveUserPath('/abs/x.db', '/home/ana', '/srv')).toBe('/abs/x.db');
  });

  it('counts the database and its write-ahead log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paths-'));
    try {
      const file = join(dir, 'm.db');
      expect(databaseSizeBytes(file)).toBeNull();
      writeFileSync(file, Buffer.alloc(100));
      writeFileSync(`${file}-wal`, Buffer.alloc(20));
      expect(databaseSizeBytes(file)).toBe(120);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
