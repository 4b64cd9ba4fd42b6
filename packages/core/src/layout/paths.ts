/**
 * Polyaxon's run layout: where an artifact sits in its run (`outputs/…` unversioned,
 * `assets/<kind>/<name>_<step>[.<ext>]` at a step), and the checks on steps and `relPath`.
 */
import { basename, isAbsolute, posix } from 'node:path';
import { hasControlCharacter } from '../backend/keys.js';
import { TroveError } from '../errors.js';

export function validateStep(step: unknown): number | undefined {
  if (step === undefined || step === null) return undefined;
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) {
    throw new TroveError('INVALID_STEP', `Invalid step ${String(step)}: a step is an integer ≥ 0.`);
  }
  return step;
}

/** A run-relative folder (`relPath`): relative, `/`-separated, never leaving the run. */
export function validateRelPath(relPath: unknown): string {
  if (relPath === undefined || relPath === null || relPath === '') return '';
  if (typeof relPath !== 'string') {
    throw new TroveError('INVALID_PATH', `relPath must be a string, not ${typeof relPath}.`);
  }
  if (hasControlCharacter(relPath)) {
    // It names a folder in the store and on disk: a NUL cannot, a line break breaks listings,
    // and the others (tab, escape, …) are refused in store keys and pointers alike.
    throw new TroveError(
      'INVALID_PATH',
      `relPath ${JSON.stringify(relPath)} has a control character (NUL, line break, tab, …).`,
    );
  }
  if (
    isAbsolute(relPath) ||
    posix.isAbsolute(relPath) ||
    /^[a-zA-Z]:/.test(relPath) ||
    relPath.includes('\\')
  ) {
    throw new TroveError('INVALID_PATH', `relPath ${JSON.stringify(relPath)} must be relative.`);
  }
  const normal = posix.normalize(relPath).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) {
    throw new TroveError(
      'INVALID_PATH',
      `relPath ${JSON.stringify(relPath)} escapes the run's folder.`,
    );
  }
  return normal === '.' ? '' : normal;
}

/**
 * Polyaxon's extension rule (clipped's `get_path_extension`): everything after the first dot of
 * the file name, lower-cased (`Model.TAR.GZ` → `tar.gz`; `.env` → `env`).
 */
export function pathExtension(path: string): string {
  return basename(path).split('.').slice(1).join('.').toLowerCase();
}

/**
 * Polyaxon's default name of a path (clipped's `get_base_filename`): the file name up to its
 * first dot (`file.tar.gz` → `file`), so that name and extension give back `file_1.tar.gz`.
 */
export function baseFileName(path: string): string {
  return basename(path.replace(/[\\/]+$/, '')).split('.')[0] ?? '';
}

/**
 * Polyaxon's name sanitisation (`to_fqn_name`): accents folded to ASCII, characters other than
 * word characters, `/`, `\\`, `.`, space and `-` dropped, `/` and `\\` runs become `__`, and runs of
 * `-`, `.` and spaces become `-` (`my.model` → `my-model`).
 */
export function toFqnName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[^ -~\t\n\r\v\f]/g, '') // keep ASCII only, as Python's encode('ascii', 'ignore')
    .replace(/[^\w\\/.\s-]/g, '')
    .trim()
    .replace(/[\\/]+/g, '__')
    .replace(/[-.\s]+/g, '-');
}

/**
 * Where an artifact sits in its run: `outputs/<relPath>/<file>` when unversioned,
 * `assets/<type>/<name>_<step>[.<ext>]` when logged at a step (a model directory gets no extension).
 */
export function logicalPath(options: {
  source: string;
  isdir: boolean;
  name: string;
  type?: string;
  step?: number;
  relPath?: string;
}): string {
  if (options.step !== undefined) {
    // traceml gives a model an extension only when it is a file; other kinds always get one.
    const noExt = options.isdir && (options.type ?? 'file') === 'model';
    const ext = noExt ? '' : pathExtension(options.source);
    const file = `${options.name.replaceAll('/', '__')}_${options.step}${ext ? `.${ext}` : ''}`;
    return posix.join('assets', options.type ?? 'file', file);
  }
  const base = basename(options.source.replace(/[\\/]+$/, ''));
  return posix.join('outputs', options.relPath ?? '', base);
}
