import { basename, parse } from 'node:path';
import { TroveError } from '../errors.js';

/** DVC / GTO's artifact-name rule: letters and digits at both ends; `-`, `_`, `/` inside. */
const ARTIFACT_NAME_RE = /^[a-zA-Z0-9]([a-zA-Z0-9\-/_]*[a-zA-Z0-9])?$/;
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
