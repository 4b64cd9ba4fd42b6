import { join, resolve } from 'node:path';
import {
  defaultArtifactName,
  validateArtifactName,
  validateArtifactType,
} from '../dvc/artifact-name.js';
import { writeWorkspacePointers } from '../dvc/workspace.js';
import { TroveError } from '../errors.js';
import { copyInto } from '../fs/copy-into.js';
import { artifactEvent } from '../polyaxon/events.js';
import { logicalPath, validateRelPath, validateStep } from '../polyaxon/paths.js';
import type { ArtifactRecord } from '../record/records.js';
import type { Progress } from '../store/ingest.js';
import { type Ingested, ingestPath, statArtifactPath } from '../store/ingest.js';
import { lineageRow, type RunContext, relToRoot, summaryOf } from './context.js';

/**
 * Internal (not part of the public options): how `logModel` and the MLflow dialect log — at a
 * logical path of their own (MLflow's `<artifact_path>/<file>`, no `outputs/`), and without
 * workspace pointers (no `.dvc`, `.gitignore` line or dvc.yaml entry).
 */
export const LOG_AS: unique symbol = Symbol('trove.logAs');

export interface LogAs {
  /** The logical path in the run, as given (run-relative, `/`-separated). */
  path?: string;
  /** `false`: write nothing into the user's folders. */
  pointers?: false;
}

export interface LogArtifactOptions {
  /** `model`, `dataset`, …; names the `assets/<type>/` folder when a step is given. */
  type?: string;
  /** Defaults to the path's stem. Must pass DVC's artifact-name rule. */
  name?: string;
  desc?: string;
  labels?: string[];
  meta?: Record<string, unknown>;
  /** Copy into `<run dir>/artifacts/` first and track the copy. */
  copy?: boolean;
  /** `false` records metadata only; the content is not stored and no `.dvc` file is written. */
  cache?: boolean;
  /** Versioned: the artifact goes to `assets/<type>/<name>_<step>[.<ext>]`. */
  step?: number;
  /** Unversioned: the folder under `outputs/`. */
  relPath?: string;
  onProgress?: (progress: Progress) => void;
  [LOG_AS]?: LogAs;
}

/**
 * Logs a file or directory: stores its content once (content-addressed), writes the workspace
 * pointers `dvc add` would, and records the artifact, its lineage row and (at a step) its event.
 * Every argument is checked before anything is read or written.
 */
export async function logArtifact(
  ctx: RunContext,
  path: string,
  options: LogArtifactOptions,
): Promise<ArtifactRecord> {
  ctx.assertActive();
  const type = options.type === undefined ? undefined : validateArtifactType(options.type);
  const name = options.name === undefined ? undefined : validateArtifactName(options.name);
  const step = validateStep(options.step);
  const relPath = validateRelPath(options.relPath);
  const labels = checkLabels(options.labels);
  const meta = checkMeta(options.meta);
  if (options.desc !== undefined && typeof options.desc !== 'string') {
    throw new TroveError('INVALID_ARGUMENT', 'desc must be a string.');
  }
  const source = resolve(ctx.cwd, path);
  statArtifactPath(source);
  const artifactName = name ?? defaultArtifactName(source);
  const cache = options.cache ?? true;
  const as = options[LOG_AS];
  const asPath = as?.path === undefined ? undefined : validateRelPath(as.path);
  if (asPath === '') throw new TroveError('INVALID_PATH', 'An artifact path cannot be empty.');

  if (cache) ctx.store.prepare();
  const ingested = await ingestPath(source, {
    store: cache ? ctx.store.objects : undefined,
    state: ctx.hashState(),
    onProgress: options.onProgress,
    ...(ctx.dvcRoot ? { dvcRoot: ctx.dvcRoot } : {}),
  });
  ctx.hashState().save();

  const pointers = as?.pointers !== false;
  const tracked = options.copy && pointers ? copyInto(source, join(ctx.dir, 'artifacts')) : source;
  const { dvcFile } = pointers
    ? writeWorkspacePointers(
        {
          path: tracked,
          name: artifactName,
          out: ingested,
          cached: cache,
          given: { name, type, desc: options.desc, labels, meta },
        },
        ctx.dvcyaml,
      )
    : { dvcFile: undefined };
  const logical =
    asPath ??
    logicalPath({
      source: tracked,
      isdir: ingested.isdir,
      name: artifactName,
      type,
      step,
      relPath,
    });
  const record = artifactRecord(logical, artifactName, ingested, {
    type,
    step,
    desc: options.desc,
    labels,
    meta,
    cached: cache,
    source: relToRoot(ctx, tracked),
    dvcFile: dvcFile ? relToRoot(ctx, dvcFile) : undefined,
  });
  ctx.addArtifact(record);
  ctx.addLineage(
    lineageRow(
      ctx,
      {
        name: artifactName,
        kind: type ?? (ingested.isdir ? 'dir' : 'file'),
        path: logical,
        isInput: false,
        isRef: !cache,
      },
      summaryOf(ingested, step),
    ),
  );
  if (step !== undefined) {
    const kind = type ?? 'file';
    const event = artifactEvent(kind, logical, meta);
    ctx.addEvent(event.eventKind, artifactName, step, event.value, kind);
  }
  await ctx.persist();
  return record;
}

function artifactRecord(
  logical: string,
  name: string,
  ingested: Ingested,
  extra: {
    type?: string;
    step?: number;
    desc?: string;
    labels?: string[];
    meta?: Record<string, unknown>;
    cached: boolean;
    source: string;
    dvcFile?: string;
  },
): ArtifactRecord {
  const record: ArtifactRecord = {
    path: logical,
    name,
    md5: ingested.md5,
    size: ingested.size,
    isdir: ingested.isdir,
    cached: extra.cached,
    source: extra.source,
    loggedAt: new Date().toISOString(),
  };
  if (extra.type !== undefined) record.type = extra.type;
  if (ingested.nfiles !== undefined) record.nfiles = ingested.nfiles;
  if (ingested.isexec) record.isexec = true;
  if (extra.step !== undefined) record.step = extra.step;
  if (extra.desc !== undefined) record.desc = extra.desc;
  if (extra.labels) record.labels = extra.labels;
  if (extra.meta) record.meta = extra.meta;
  if (extra.dvcFile) record.dvcFile = extra.dvcFile;
  return record;
}

function checkLabels(labels: unknown): string[] | undefined {
  if (labels === undefined) return undefined;
  if (!Array.isArray(labels) || !labels.every((l) => typeof l === 'string')) {
    throw new TroveError('INVALID_ARGUMENT', 'labels must be a list of strings.');
  }
  return [...labels];
}

function checkMeta(meta: unknown): Record<string, unknown> | undefined {
  if (meta === undefined) return undefined;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new TroveError('INVALID_ARGUMENT', 'meta must be a mapping of keys to values.');
  }
  try {
    return JSON.parse(JSON.stringify(meta)) as Record<string, unknown>;
  } catch (err) {
    throw new TroveError('INVALID_ARGUMENT', 'meta must be JSON-serialisable.', { cause: err });
  }
}
