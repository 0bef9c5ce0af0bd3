import nx from '@nx/eslint-plugin';

const ADAPTERS = [
  '@prisma/client',
  '@prisma/*',
  'better-sqlite3',
  'axios',
  'axios-retry',
  'express',
  'tsoa',
  '@modelcontextprotocol/*',
];

/**
 * The layering of docs/architecture.md, enforced: a forbidden import is a lint error, and
 * tools/workspace-checks/src/module-boundaries.test.ts proves it stays one.
 */
export const depConstraints = [
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: [
      'type:composition',
      'type:feature',
      'type:data-access',
      'type:domain',
      'type:runtime',
    ],
  },
  {
    // apps/cli, the `testio-mcp` command: it dispatches to the apps (the only project that may import them)
    // and embeds the sandbox for `testio-mcp sandbox` and the demo mode of `start` (tag cli:embedded).
    sourceTag: 'type:cli',
    onlyDependOnLibsWithTags: [
      'type:app',
      'type:composition',
      'type:feature',
      'type:data-access',
      'type:domain',
      'type:runtime',
      'cli:embedded',
    ],
  },
  {
    // libs/composition: the apps' one composition root (runtime, client, mirror, engine, services, root
    // logger, CLI error reporting). It builds no server, so no HTTP framework and no MCP SDK.
    sourceTag: 'type:composition',
    onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:domain', 'type:runtime'],
    bannedExternalImports: ['express', 'tsoa', '@modelcontextprotocol/*'],
  },
  {
    // libs/app-runtime: what the apps' entry points share (log destinations, rotation, signals), for apps only.
    // It never creates a logger, so not even pino may be imported there.
    sourceTag: 'type:runtime',
    onlyDependOnLibsWithTags: ['type:domain'],
    bannedExternalImports: [...ADAPTERS, 'pino'],
  },
  {
    sourceTag: 'type:feature',
    onlyDependOnLibsWithTags: ['type:feature', 'type:domain'],
    bannedExternalImports: ADAPTERS,
  },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:domain'] },
  {
    sourceTag: 'type:domain',
    onlyDependOnLibsWithTags: ['type:domain'],
    bannedExternalImports: [...ADAPTERS, 'pino', 'p-queue'],
  },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['*'] },
  { sourceTag: 'infra:http', bannedExternalImports: ['@prisma/client', '@prisma/*', 'better-sqlite3'] },
  { sourceTag: 'infra:db', bannedExternalImports: ['axios', 'axios-retry'] },
  { sourceTag: 'scope:mcp', onlyDependOnLibsWithTags: ['scope:mcp', 'scope:shared'] },
  { sourceTag: 'scope:rest', onlyDependOnLibsWithTags: ['scope:rest', 'scope:shared'] },
  { sourceTag: 'scope:sync', onlyDependOnLibsWithTags: ['scope:sync', 'scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['*'] },
];

/**
 * Tests and their fixtures may also use the tools (the sandbox is every integration test's fixture);
 * production code may not.
 */
const testDepConstraints = depConstraints.map((c) => {
  if (!c.onlyDependOnLibsWithTags || c.onlyDependOnLibsWithTags.includes('*')) return c;
  const extra = ['type:tool', 'scope:tools'];
  // Service tests wire the real stack (sandbox -> client -> sync -> SQLite) instead of faking it.
  if (c.sourceTag === 'type:feature') extra.push('type:data-access');
  return { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, ...extra] };
});

const TEST_FILES = ['**/*.test.ts', '**/__fixtures__/**/*.ts'];

/** Every project's vitest.config.ts imports the shared test settings, a root file that no project owns. */
const ALLOW = ['../../vitest.shared.js'];
/** The apps the CLI dispatches to: `serve`, `api`, `worker`/`sync`/`problematic`. */
const CLI_DISPATCHES_TO = ['@testio-mcp/mcp-server', '@testio-mcp/rest-api', '@testio-mcp/sync-worker'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  // coverage/: vitest writes and deletes it while Nx lints the same project in parallel (ESLint crashed on
  // a folder that vanished mid-scan).
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '**/.nx',
      '**/bench-results',
      '**/build',
      '**/generated',
      '**/coverage',
    ],
  },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: false,
          allow: ALLOW,
          depConstraints,
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: TEST_FILES,
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: false,
          allow: ALLOW,
          depConstraints: testDepConstraints,
        },
      ],
    },
  },
  {
    // Nx refuses every import of an application project. apps/cli is the one exception by design: the
    // `testio-mcp` dispatcher loads the app that owns each command (ADR 0016). Only these imports, only
    // from apps/cli's production code; an app importing another app stays an error.
    files: ['apps/cli/**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: false,
          depConstraints,
          allow: [...ALLOW, ...CLI_DISPATCHES_TO],
        },
      ],
    },
  },
  {
    // The published package's bin bundles the CLI app (tools/package/src/bin.mjs).
    files: ['tools/package/src/bin.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allowCircularSelfDependency: false,
          depConstraints,
          allow: [...ALLOW, '@testio-mcp/cli'],
        },
      ],
    },
  },
  {
    // The domain is pure: no I/O of any kind (Node built-ins are not in the project graph, so the
    // boundary rule cannot see them).
    files: ['libs/domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex:
                '^(node:)?(fs|fs/promises|http|https|http2|net|tls|dgram|dns|child_process|worker_threads|cluster|sqlite)$',
              message:
                'libs/domain does no I/O; put adapters in api-client or persistence and define a port here.',
            },
          ],
        },
      ],
    },
  },
  {
    // stdout belongs to the MCP stdio transport: libraries and the MCP server log through pino on stderr.
    files: ['libs/**/*.ts', 'apps/mcp-server/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-console': ['error', { allow: ['error', 'warn'] }] },
  },
];
