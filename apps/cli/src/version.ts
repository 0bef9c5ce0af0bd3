import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The published package's name: its package.json is the root one in a checkout, and the package's own. */
const PACKAGE_NAME = 'testio-mcp';

/**
 * The version of `testio-mcp`, from the nearest package.json named so above this module: the workspace
 * root's in a checkout (apps/cli/src -> /), the package's in the bundle (dist/ -> the package folder).
 */
export function packageVersion(from: string = import.meta.url): string {
  let dir = path.dirname(fileURLToPath(from));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) return pkg.version;
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(
        `no package.json of ${PACKAGE_NAME} above ${fileURLToPath(from)}; reinstall the package`,
      );
    dir = parent;
  }
}
