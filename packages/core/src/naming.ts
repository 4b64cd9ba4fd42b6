import { basename, isAbsolute, parse, posix } from 'node:path';
import { TroveError } from './errors.js';

/** DVC / GTO's artifact-name rule: letters and digits at both ends; `-`, `_`, `/` inside. */
export const ARTIFACT_NAME_RE = /^[a-zA-Z0-9]([a-zA-Z0-9\-/_]*[a-zA-Z0-9])?$/;
const TYPE_RE = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;

export function validateArtifactName(name: unknown): string {
  if (typeof name !== 'string' || !ARTIFACT_NAME_RE.test(name)) {
    throw new TroveError('INVALID_NAME', `Invalid artifact name ${JSON.stringify(name)}.`, {
      hint: "Use letters, digits, '-', '_' and '/', starting and ending with a letter or digit (DVC's rule).",
    });
  }
  return name;
}

/** An artifact type becomes a path segment (`assets/<type>/…`), so it is held to a strict rule. */
export function validateArtifactType(type: unknown): string {
  if (typeof type !== 'string' || !TYPE_RE.test(type)) {
    throw new TroveError('INVALID_NAME', `Invalid artifact type ${JSON.stringify(type)}.`, {
      hint: "Use letters, digits, '-' and '_', starting with a letter or digit (e.g. model, dataset).",
    });
  }
  return type;
}

/**
 * The default name: the path's stem, as DVCLive takes it (`model.pt` → `model`, `data/` →
 * `data`). A stem DVC would reject (`my.model`) has its other characters turned into `-`, as
 * Polyaxon does, rather than failing a call that gave no name at all.
 */
export function defaultArtifactName(path: string): string {
  const stem = parse(basename(path.replace(/[\\/]+$/, ''))).name;
  if (ARTIFACT_NAME_RE.test(stem)) return stem;
  const cleaned = stem
    .replace(/[^a-zA-Z0-9\-_]+/g, '-')
    .replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, '');
  if (ARTIFACT_NAME_RE.test(cleaned)) return cleaned;
  throw new TroveError(
    'INVALID_NAME',
    `Cannot derive an artifact name from ${JSON.stringify(path)}.`,
    {
      hint: 'Pass a name explicitly.',
    },
  );
}

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
export function pathExtension(path: string): string {
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
