/** Polyaxon's artifact kinds (traceml's `V1ArtifactKind`) and the checks on what names them. */
import { TroveError } from '@trove/core';
import { toFqnName } from '@trove/core/dialect';

export const ARTIFACT_KINDS = [
  'model',
  'audio',
  'video',
  'histogram',
  'image',
  'tensor',
  'dataframe',
  'chart',
  'csv',
  'tsv',
  'psv',
  'ssv',
  'metric',
  'env',
  'html',
  'text',
  'file',
  'dir',
  'dockerfile',
  'docker_image',
  'data',
  'coderef',
  'table',
  'tensorboard',
  'curve',
  'confusion',
  'analysis',
  'iteration',
  'markdown',
  'system',
  'artifact',
  'span',
] as const;

export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

const KINDS: ReadonlySet<string> = new Set(ARTIFACT_KINDS);

/** A kind must be one of Polyaxon's (`V1ArtifactKind`); `undefined` gives `fallback`. */
export function validateKind(kind: unknown, fallback: ArtifactKind = 'file'): ArtifactKind {
  if (kind === undefined || kind === null) return fallback;
  if (typeof kind !== 'string' || !KINDS.has(kind)) {
    throw new TroveError('INVALID_ARGUMENT', `Invalid artifact kind ${JSON.stringify(kind)}.`, {
      hint: `Use one of Polyaxon's kinds: ${ARTIFACT_KINDS.join(', ')}.`,
    });
  }
  return kind as ArtifactKind;
}

/** A `summary` is a JSON mapping; it is copied so later changes by the caller do not leak in. */
export function validateSummary(summary: unknown): Record<string, unknown> | undefined {
  if (summary === undefined || summary === null) return undefined;
  if (typeof summary !== 'object' || Array.isArray(summary)) {
    throw new TroveError('INVALID_ARGUMENT', 'summary must be a mapping of keys to values.');
  }
  try {
    return JSON.parse(JSON.stringify(summary)) as Record<string, unknown>;
  } catch (err) {
    throw new TroveError('INVALID_ARGUMENT', 'summary must be JSON-serialisable.', { cause: err });
  }
}

/** A name sanitised as Polyaxon does (`to_fqn_name`); nothing usable left in it is an error. */
export function requireFqn(name: unknown, from?: string): string {
  if (typeof name !== 'string') {
    throw new TroveError('INVALID_NAME', `A name must be a string, not ${typeof name}.`);
  }
  const fqn = name === '' ? '' : toFqnName(name);
  if (fqn === '') {
    throw new TroveError('INVALID_NAME', `Cannot make a name of ${JSON.stringify(from ?? name)}.`, {
      hint: 'Pass a name explicitly.',
    });
  }
  return fqn;
}

/** The client's `timestamp` argument: a `Date` or a date string; default now. */
export function validateTimestamp(timestamp: unknown): Date {
  if (timestamp === undefined || timestamp === null) return new Date();
  const at = timestamp instanceof Date ? timestamp : new Date(String(timestamp));
  if (!(timestamp instanceof Date || typeof timestamp === 'string') || Number.isNaN(at.getTime())) {
    throw new TroveError('INVALID_ARGUMENT', `Invalid timestamp ${String(timestamp)}.`);
  }
  return at;
}
