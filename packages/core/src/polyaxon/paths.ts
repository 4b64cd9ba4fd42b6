/**
 * Polyaxon's run layout: where an artifact sits in its run (`outputs/…` unversioned,
 * `assets/<kind>/<name>_<step>[.<ext>]` at a step), and the checks on steps and `relPath`.
 */
import { basename, isAbsolute, posix } from 'node:path';
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

/** Polyaxon's extension rule: everything after the first dot of the file name (`tar.gz`). */
function pathExtension(path: string): string {
  const name = basename(path);
  const dot = name.indexOf('.', name.startsWith('.') ? 1 : 0);
  return dot < 0 ? '' : name.slice(dot + 1);
}

/**
 * Where an artifact sits in its run: `outputs/<relPath>/<file>` when unversioned,
 * `assets/<type>/<name>_<step>[.<ext>]` when logged at a step (directories get no extension).
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
    const ext = options.isdir ? '' : pathExtension(options.source);
    const file = `${options.name.replaceAll('/', '__')}_${options.step}${ext ? `.${ext}` : ''}`;
    return posix.join('assets', options.type ?? 'file', file);
  }
  const base = basename(options.source.replace(/[\\/]+$/, ''));
  return posix.join('outputs', options.relPath ?? '', base);
}
