import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { packageVersion } from './version.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const scratch: string[] = [];

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('packageVersion', () => {
  it("is the workspace root's version in a checkout, not apps/cli's own package.json", () => {
    const root = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(packageVersion()).toBe(root.version);
  });

  it("is the package's version from its bundled dist/ folder", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-version-'));
    scratch.push(dir);
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'testio-mcp', version: '9.8.7' }));
    expect(packageVersion(pathToFileURL(path.join(dir, 'dist', 'chunk-abc.mjs')).href)).toBe('9.8.7');
  });

  it('says what is wrong when no package.json of testio-mcp is above it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cli-version-'));
    scratch.push(dir);
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'other', version: '1.0.0' }));
    expect(() => packageVersion(pathToFileURL(path.join(dir, 'main.mjs')).href)).toThrow(
      /no package.json of testio-mcp above .*reinstall the package/,
    );
  });
});
