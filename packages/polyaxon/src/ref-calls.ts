/**
 * Reference logging (the client's `log_*_ref`): lineage only, nothing copied or stored. The
 * summary carries what the client puts in it (`hash` when given, `path`, a model's
 * `framework`); the run kernel adds the md5 of a readable local path.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { LineageRow, Run } from '@trove/core';
import { TroveError } from '@trove/core';
import { baseFileName } from '@trove/core/dialect';
import { readCodeRef } from './code-ref.js';
import { requireFqn, validateKind, validateSummary } from './kinds.js';
import type { LogRefOptions } from './options.js';

/** What reference logging needs of a tracking run. */
export interface RefTarget {
  readonly run: Run;
  assertActive(): void;
  enqueue<T>(fn: () => Promise<T>): Promise<T>;
}

const URI_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/** Normalises `(path, options)` and `(options)` call shapes. */
export function refOptions<T extends { path: string }>(
  pathOrOptions: string | T,
  options: Omit<T, 'path'> = {} as Omit<T, 'path'>,
): T {
  return typeof pathOrOptions === 'string'
    ? ({ ...options, path: pathOrOptions } as T)
    : pathOrOptions;
}

/**
 * One reference row of kind `kind` (checked against Polyaxon's kinds). `dirName` derives the
 * default name from the whole base name (`log_dir_ref`), not up to the first dot.
 */
export async function logRef(
  target: RefTarget,
  o: LogRefOptions,
  defaults: {
    kind?: string;
    isInput?: boolean;
    dirName?: boolean;
    extra?: Record<string, unknown>;
    /** An input is recorded with `run.logInput` (its digest taken; missing data refused). */
    asInput?: boolean;
  },
): Promise<LineageRow> {
  target.assertActive();
  if (typeof o?.path !== 'string' || o.path === '') {
    throw new TroveError('INVALID_ARGUMENT', 'A reference needs a path or URI.');
  }
  const kind = validateKind(o.kind ?? defaults.kind, 'file');
  const summary: Record<string, unknown> = {
    ...(validateSummary(o.summary) ?? {}),
    ...(defaults.extra ?? {}),
  };
  if (o.hash !== undefined) {
    if (typeof o.hash !== 'string')
      throw new TroveError('INVALID_ARGUMENT', 'hash must be a string.');
    summary.hash = o.hash;
  }
  const isUri = URI_RE.test(o.path);
  const local = isUri ? o.path : resolve(target.run.cwd, o.path);
  summary.path = isUri || !existsSync(local) ? o.path : local;
  const plain = o.path.replace(URI_RE, '').replace(/[\\/]+$/, '');
  const raw = o.name ?? (defaults.dirName ? basename(plain) : baseFileName(plain));
  const name = requireFqn(raw, o.path);
  const isInput = o.isInput ?? defaults.isInput ?? false;
  const where = isUri ? o.path : local;
  const asRef = () => target.run.logArtifactRef(where, { name, kind, summary, isInput });
  return target.enqueue(() =>
    defaults.asInput && isInput
      ? // Polyaxon records a data reference whether or not the data can be read: when it cannot,
        // as a plain reference (no digest to check), which refuses what is bad input itself.
        target.run.logInput(where, { name, kind, summary }).catch(asRef)
      : asRef(),
  );
}

/**
 * The Git code reference as lineage (kind `coderef`, named by the commit, an input by default);
 * nothing outside a Git work tree, as the client does.
 */
export async function logCodeRef(
  target: RefTarget,
  options: { codeRef?: Record<string, unknown>; isInput?: boolean },
): Promise<LineageRow | undefined> {
  target.assertActive();
  const ref = options.codeRef ?? readCodeRef(target.run.cwd);
  if (!ref || typeof ref.commit !== 'string' || ref.commit === '') return undefined;
  const summary = validateSummary(ref) ?? {};
  const where =
    typeof ref.url === 'string' && URI_RE.test(ref.url) ? ref.url : `file://${target.run.root}`;
  return target.enqueue(() =>
    target.run.logArtifactRef(where, {
      name: ref.commit as string,
      kind: 'coderef',
      summary,
      isInput: options.isInput ?? true,
    }),
  );
}
