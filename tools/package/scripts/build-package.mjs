#!/usr/bin/env node
// Builds the published `testio-mcp` package from the workspace (docs/decisions/0008-distribution.md):
//
//   node tools/package/scripts/build-package.mjs [--out DIR] [--pack]
//
// writes DIR/package/ (default tools/package/dist/package/, git-ignored): the CLI bundled by esbuild
// (dist/*.mjs), the OpenAPI document, the SQL migrations, the charts' font, README, licences and a package.json whose
// dependencies are only the packages the bundle leaves external, at the versions package-lock.json
// resolves. `--pack` then runs `npm pack` there and leaves DIR/testio-mcp-<version>.tgz.
// `npm run package` (Nx target `package:package`) runs both.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(PROJECT, '../..');
export const DEFAULT_OUT_DIR = join(PROJECT, 'dist');

/**
 * Packages the bundle imports at run time instead of inlining, each for a reason; they become the
 * package's `dependencies`. Everything else (express, zod, the MCP SDK, axios, ...) is bundled.
 */
export const EXTERNALS = {
  'better-sqlite3': 'native addon: installs a prebuilt binary or compiles on install',
  '@prisma/client': 'the Prisma runtime loads its WebAssembly query compiler from its own files',
  '@prisma/adapter-better-sqlite3': 'the driver adapter, tied to @prisma/client and better-sqlite3',
  'swagger-ui-dist': 'Swagger UI static assets, served from the package folder',
  pino: 'transports run in worker threads that load pino files by path',
  '@resvg/resvg-js':
    'native addon: loads the prebuilt binary of its platform package (optional dependencies)',
};

/**
 * Imports the bundle keeps but the package does not install: the importing code catches their absence.
 * vega-canvas tries `canvas` (node-canvas, which downloads a binary at install) and, without it, vega
 * renders SVG without a canvas, which is all the charts need.
 */
export const OPTIONAL_IMPORTS = {
  canvas: 'vega-canvas imports it inside try/catch; the charts render SVG without it',
  'pg-native':
    'pg loads it only for its native bindings (`pg.native`), inside try/catch; the pure JavaScript client is used',
};

/** Where the bundled migrator finds the migrations: the package's `migrations/`, from `dist/<chunk>.mjs`. */
const BUNDLED_MIGRATIONS_DIR = '../migrations/';
/** The PostgreSQL migrations (ADR 0029), in a folder of `migrations/` the SQLite migrator skips (no migration.sql). */
const BUNDLED_PG_MIGRATIONS_DIR = '../migrations/postgresql/';
/** The read worker thread's entry (ADR 0027), beside the chunks that start it. */
const BUNDLED_READ_WORKER = './read-worker.mjs';

/** Files the code reads relative to its own module (import.meta.url), as the bundle lays them out. */
const GENERATED_INPUTS = [
  ['apps/rest-api/src/generated/routes.ts', 'npx nx run rest-api:tsoa-generate'],
  ['apps/rest-api/src/generated/openapi.json', 'npx nx run rest-api:tsoa-generate'],
  ['libs/persistence/src/generated/prisma/client.ts', 'npx nx run persistence:prisma-generate'],
];

const isBuiltin = (specifier) =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]);
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** Every file under `dir` (relative paths). */
function walk(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    return statSync(file).isDirectory() ? walk(file, base) : [relative(base, file)];
  });
}

/** The version package-lock.json resolves for a root-level package. */
function lockedVersion(lock, name) {
  const version = lock.packages?.[`node_modules/${name}`]?.version;
  if (!version)
    throw new Error(`package-lock.json does not resolve '${name}'; run npm install in the workspace first`);
  return version;
}

/** Name, version, licence and licence text of every third-party package the bundle inlines. */
function thirdPartyNotices(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const match = input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
    if (match) dirs.add(match[1]);
  }
  const packages = [...dirs]
    .map((dir) => {
      const pkg = readJson(join(ROOT, dir, 'package.json'));
      const licenceFile = readdirSync(join(ROOT, dir)).find((f) =>
        /^(licen[cs]e|copying|notice)(\.(md|txt))?$/i.test(f),
      );
      return {
        name: pkg.name,
        version: pkg.version,
        license: pkg.license ?? 'see the package',
        text: licenceFile ? readFileSync(join(ROOT, dir, licenceFile), 'utf8').trim() : null,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const unique = packages.filter(
    (p, i) => i === 0 || p.name !== packages[i - 1].name || p.version !== packages[i - 1].version,
  );
  return [
    '# Third-party notices',
    '',
    'dist/ of this package bundles the following packages (their licences follow). The packages listed in',
    "package.json's `dependencies` are installed beside it with their own licences.",
    '',
    ...unique.flatMap((p) => [
      '',
      `## ${p.name}@${p.version} (${p.license})`,
      '',
      ...(p.text ? ['```', p.text, '```'] : []),
    ]),
    '',
  ].join('\n');
}

/** Fails when a built file mentions the checkout's absolute path (the package must not depend on it). */
function assertNoCheckoutPaths(dir) {
  const offenders = walk(dir).filter((file) => readFileSync(join(dir, file), 'utf8').includes(ROOT));
  if (offenders.length > 0)
    throw new Error(`the package mentions the checkout path ${ROOT} in: ${offenders.join(', ')}`);
}

/**
 * Builds the package folder `<outDir>/package`.
 * @param {{ outDir?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<{ dir: string, manifest: Record<string, unknown> }>}
 */
export async function buildPackage({
  outDir = DEFAULT_OUT_DIR,
  log = (line) => process.stderr.write(`${line}\n`),
} = {}) {
  for (const [file, fix] of GENERATED_INPUTS) {
    if (!existsSync(join(ROOT, file)))
      throw new Error(`${file} is missing: run \`${fix}\` (npm ci runs it at postinstall)`);
  }
  const root = readJson(join(ROOT, 'package.json'));
  const lock = readJson(join(ROOT, 'package-lock.json'));
  const dir = join(outDir, 'package');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: {
      'testio-mcp': join(PROJECT, 'src', 'bin.mjs'),
      'read-worker': join(ROOT, 'libs/persistence/src/read-pool/worker.ts'),
    },
    outdir: join(dir, 'dist'),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Subcommands load lazily (`--version` does not parse express); chunks stay beside the entry, so
    // `new URL('../package.json', import.meta.url)` is the package's package.json from every one of them.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...Object.keys(EXTERNALS), ...Object.keys(OPTIONAL_IMPORTS)],
    define: {
      TESTIO_MCP_BUNDLED_MIGRATIONS_DIR: JSON.stringify(BUNDLED_MIGRATIONS_DIR),
      TESTIO_MCP_BUNDLED_PG_MIGRATIONS_DIR: JSON.stringify(BUNDLED_PG_MIGRATIONS_DIR),
      TESTIO_MCP_BUNDLED_READ_WORKER: JSON.stringify(BUNDLED_READ_WORKER),
    },
    // tsoa's controllers use the legacy decorators (bin/tsconfig.json does the same for tsx).
    tsconfigRaw: { compilerOptions: { experimentalDecorators: true } },
    // CommonJS dependencies call require() for Node built-ins; an ES module has no require of its own.
    banner: {
      js: "import { createRequire as __testioMcpCreateRequire } from 'node:module';\nconst require = __testioMcpCreateRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
  });

  // Every import left in the bundle is a Node built-in or a declared external.
  const imports = Object.values(result.metafile.outputs).flatMap((output) =>
    output.imports.filter((i) => i.external).map((i) => i.path),
  );
  const unexpected = [
    ...new Set(
      imports.filter(
        (p) => !isBuiltin(p) && !(packageName(p) in EXTERNALS) && !(packageName(p) in OPTIONAL_IMPORTS),
      ),
    ),
  ];
  if (unexpected.length > 0)
    throw new Error(`the bundle imports packages it does not declare: ${unexpected.join(', ')}`);
  const usedExternals = new Set(imports.filter((p) => !isBuiltin(p)).map(packageName));
  const unused = Object.keys(EXTERNALS).filter((name) => !usedExternals.has(name));
  if (unused.length > 0) throw new Error(`declared externals the bundle never imports: ${unused.join(', ')}`);

  // What the code reads relative to its own file: apps/rest-api's `./generated/openapi.json` and the
  // migrations (see BUNDLED_MIGRATIONS_DIR).
  cpSync(join(ROOT, 'apps/rest-api/src/generated/openapi.json'), join(dir, 'dist/generated/openapi.json'));
  cpSync(join(ROOT, 'prisma/migrations'), join(dir, 'migrations'), { recursive: true });
  cpSync(join(ROOT, 'prisma/postgresql/migrations'), join(dir, 'migrations/postgresql'), { recursive: true });
  // The charts' font: libs/charts reads `../fonts/` from src/, the bundle from dist/, the same folder.
  cpSync(join(ROOT, 'libs/charts/fonts'), join(dir, 'fonts'), { recursive: true });
  writeFileSync(join(dir, 'THIRD_PARTY_NOTICES.md'), thirdPartyNotices(result.metafile));

  const documents = readdirSync(ROOT).filter((f) => /^(readme|licen[cs]e|changelog)(\.(md|txt))?$/i.test(f));
  for (const file of documents) cpSync(join(ROOT, file), join(dir, file));

  const manifest = {
    name: 'testio-mcp',
    version: root.version,
    description: root.description,
    license: root.license,
    ...(root.repository ? { repository: root.repository } : {}),
    ...(root.homepage ? { homepage: root.homepage } : {}),
    keywords: ['mcp', 'model-context-protocol', 'testio', 'sqlite', 'rest-api'],
    type: 'module',
    bin: { 'testio-mcp': 'dist/testio-mcp.mjs' },
    exports: { './package.json': './package.json' },
    engines: { node: root.engines?.node ?? '>=20.19' },
    files: ['dist', 'migrations', 'fonts', 'THIRD_PARTY_NOTICES.md', ...documents],
    dependencies: Object.fromEntries(
      Object.keys(EXTERNALS)
        .sort()
        .map((name) => [name, lockedVersion(lock, name)]),
    ),
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  assertNoCheckoutPaths(dir);

  const bytes = walk(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
  log(
    `built ${relative(ROOT, dir)}: testio-mcp ${manifest.version}, ${(bytes / 1024 / 1024).toFixed(1)} MB unpacked`,
  );
  return { dir, manifest };
}

/**
 * `npm pack` of a built package folder into `outDir`.
 * @param {{ dir: string, outDir?: string, log?: (line: string) => void }} options
 * @returns {{ tarball: string, size: number, unpackedSize: number, files: string[] }}
 */
export function packPackage({
  dir,
  outDir = dirname(dir),
  log = (line) => process.stderr.write(`${line}\n`),
}) {
  const result = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm pack failed (${result.status}): ${result.stderr}`);
  const [info] = JSON.parse(result.stdout);
  const tarball = join(outDir, info.filename);
  log(
    `packed ${relative(ROOT, tarball)}: ${(info.size / 1024 / 1024).toFixed(1)} MB, ${info.entryCount} files`,
  );
  return { tarball, size: info.size, unpackedSize: info.unpackedSize, files: info.files.map((f) => f.path) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, pack: { type: 'boolean', default: false } },
  });
  const outDir = resolve(values.out ?? DEFAULT_OUT_DIR);
  const { dir } = await buildPackage({ outDir });
  if (values.pack) packPackage({ dir, outDir });
}
