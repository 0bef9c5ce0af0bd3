import {
  constants,
  lstatSync,
  mkdirSync,
  openSync,
  closeSync,
  realpathSync,
  writeSync,
  existsSync,
} from 'node:fs';
import path from 'node:path';
import {
  InvalidInputError,
  type ReportFile,
  type ReportFileWriter,
  type WrittenReportFile,
} from '@testio-mcp/domain';

/**
 * Report exports confined to one directory (`TESTIO_EXPORT_DIR`). A requested name is refused, before
 * anything is written, when it is absolute, climbs with `..`, holds odd characters, resolves (through
 * a symlink anywhere on the way) outside the directory, or names an existing file and `overwrite` was
 * not asked. Files are created with `O_EXCL` (or `O_NOFOLLOW` when overwriting), so a symlink planted
 * between the check and the write is not followed either.
 */

const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9 ._-]*$/;
const MAX_NAME = 200;

function refuse(field: string, message: string, reason: string, directory: string): never {
  throw new InvalidInputError({
    field,
    message,
    reason,
    hint: `Give a relative name such as 'acme/q2-quality' (letters, digits, '.', '_', '-', '/'); files are written under ${directory}`,
  });
}

function inside(base: string, candidate: string): boolean {
  const rel = path.relative(base, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The base name without a known report extension (`q2.md` and `q2` both mean `q2`). */
export function stripReportExtension(name: string): string {
  return name.replace(/\.(md|markdown|json|csv|html?)$/i, '');
}

export function createReportFileWriter(directory: string): ReportFileWriter {
  const root = path.resolve(directory);
  return {
    directory: root,
    write({ relativeBase, files, overwrite, field }): Promise<WrittenReportFile[]> {
      try {
        return Promise.resolve(writeAll(root, relativeBase, files, overwrite, field));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

function writeAll(
  root: string,
  requested: string,
  files: readonly ReportFile[],
  overwrite: boolean,
  field: string,
): WrittenReportFile[] {
  const name = requested.trim();
  if (name === '') refuse(field, `${field} is empty`, 'A file name is required to export the report', root);
  if (name.length > MAX_NAME)
    refuse(
      field,
      `${field} is too long (${name.length} characters, at most ${MAX_NAME})`,
      'Long names are refused',
      root,
    );
  if (path.isAbsolute(name) || /^[A-Za-z]:/.test(name) || name.startsWith('~')) {
    refuse(
      field,
      `${field} '${name}' is an absolute path`,
      `Reports are only written inside the export directory (TESTIO_EXPORT_DIR)`,
      root,
    );
  }
  if (name.includes('\\') || name.includes('\0'))
    refuse(
      field,
      `${field} '${name}' holds a backslash or a NUL character`,
      'Use / to separate folders',
      root,
    );
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    refuse(
      field,
      `${field} '${name}' climbs out of the export directory ('..')`,
      `Reports are only written inside the export directory (TESTIO_EXPORT_DIR)`,
      root,
    );
  }
  const bad = segments.find((s) => !SAFE_SEGMENT.test(s));
  if (segments.length === 0 || bad !== undefined) {
    refuse(
      field,
      `${field} '${name}' is not a valid file name`,
      `'${bad ?? name}' must start with a letter or digit and hold only letters, digits, spaces, '.', '_' and '-'`,
      root,
    );
  }
  const base = stripReportExtension(segments.join('/'));

  mkdirSync(root, { recursive: true });
  const realRoot = realpathSync(root);
  const targetDir = path.dirname(path.join(realRoot, base));
  // Walk the folders that exist: none may lead out (a symlink to elsewhere).
  let probe = realRoot;
  for (const part of path.relative(realRoot, targetDir).split(path.sep).filter(Boolean)) {
    probe = path.join(probe, part);
    if (!existsSync(probe)) break;
    const real = realpathSync(probe);
    if (!inside(realRoot, real)) {
      refuse(
        field,
        `${field} '${name}' leads outside the export directory through a symlink`,
        'Symlinks pointing out of TESTIO_EXPORT_DIR are not followed',
        root,
      );
    }
  }
  mkdirSync(targetDir, { recursive: true });
  const realDir = realpathSync(targetDir);
  if (!inside(realRoot, realDir)) {
    refuse(
      field,
      `${field} '${name}' leads outside the export directory through a symlink`,
      'Symlinks pointing out of TESTIO_EXPORT_DIR are not followed',
      root,
    );
  }
  const stem = path.basename(base);
  const targets = files.map((file) => ({ file, target: path.join(realDir, `${stem}${file.suffix}`) }));
  for (const { target } of targets) {
    let stat: ReturnType<typeof lstatSync> | undefined;
    try {
      stat = lstatSync(target);
    } catch {
      stat = undefined;
    }
    if (!stat) continue;
    if (stat.isSymbolicLink()) {
      refuse(
        field,
        `${path.basename(target)} in the export directory is a symlink`,
        'Symlinks are never written through',
        root,
      );
    }
    if (!overwrite) {
      throw new InvalidInputError({
        field,
        message: `${path.relative(realRoot, target)} already exists in the export directory`,
        reason: 'Existing exports are not replaced unless overwrite is asked for',
        hint: 'Pick another output_file name, or call again with overwrite: true',
      });
    }
    if (!stat.isFile())
      refuse(
        field,
        `${path.basename(target)} exists and is not a file`,
        'Only regular files are replaced',
        root,
      );
  }
  const flags = overwrite
    ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0)
    : constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  return targets.map(({ file, target }) => {
    const bytes =
      typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : Buffer.from(file.content);
    const fd = openSync(target, flags, 0o644);
    try {
      writeSync(fd, bytes);
    } finally {
      closeSync(fd);
    }
    return { path: target, suffix: file.suffix, sizeBytes: bytes.length };
  });
}
