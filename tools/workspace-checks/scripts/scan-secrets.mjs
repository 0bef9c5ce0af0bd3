#!/usr/bin/env node
/**
 * The secret scanner over the whole repository: secretlint (.secretlintrc.json: the recommended preset and
 * our TestIO rule) on every git-tracked file, minus what .secretlintignore lists. The `secrets` target of
 * tools/workspace-checks, which its `test` target depends on, so `npm test` runs it.
 *
 *   node tools/workspace-checks/scripts/scan-secrets.mjs [REPOSITORY_ROOT]
 *
 * Exit status: 0 when nothing is found, 1 with the findings listed (file:line, rule, masked value), 2 when
 * the scan itself fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(
  process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '../../..'),
);
const require = createRequire(import.meta.url);
const secretlint = path.join(path.dirname(require.resolve('secretlint/package.json')), 'bin/secretlint.js');
const CHUNK = 400;

const files = execFileSync('git', ['ls-files', '-z'], {
  cwd: root,
  encoding: 'utf8',
  maxBuffer: 64 * 1024 * 1024,
})
  .split('\0')
  // A tracked file deleted in the work tree has nothing left to scan.
  .filter((f) => f !== '' && existsSync(path.join(root, f)));

const scratch = mkdtempSync(path.join(tmpdir(), 'testio-scan-secrets-'));
const findings = [];
try {
  for (let i = 0; i < files.length; i += CHUNK) {
    // The report goes to a file: secretlint exits before a large report is through a pipe.
    const output = path.join(scratch, `report-${i}.json`);
    const args = [secretlint, '--no-glob', '--no-color', '--format', 'json', '--output', output];
    args.push('--secretlintrc', path.join(root, '.secretlintrc.json'), ...files.slice(i, i + CHUNK));
    const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) {
      process.stderr.write(
        `secrets: secretlint failed (exit ${result.status}):\n${result.stdout}${result.stderr}\n`,
      );
      process.exit(2);
    }
    for (const report of JSON.parse(readFileSync(output, 'utf8'))) {
      for (const m of report.messages) {
        findings.push(
          `  ${path.relative(root, report.filePath)}:${m.loc.start.line}  ${m.messageId}  ${m.message}  (${m.ruleId})`,
        );
      }
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (findings.length === 0) {
  process.stdout.write(`secrets: ${files.length} git-tracked files scanned, no secrets found\n`);
} else {
  process.stderr.write(
    `secrets: ${findings.length} possible secret(s) in git-tracked files:\n${findings.join('\n')}\n` +
      'Remove them (and rotate them: they are in git history), or list a deliberate fake in .secretlintignore.\n',
  );
  process.exitCode = 1;
}
