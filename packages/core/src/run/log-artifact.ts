import { accessSync, constants, existsSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { validateKey } from '../backend/keys.js';
import {
  defaultArtifactName,
  validateArtifactName,
  validateArtifactType,
} from '../dvc/artifact-name.js';
import { isStageOutput, isWithin } from '../dvc/stage-outputs.js';
import { writeWorkspacePointers } from '../dvc/workspace.js';
import { TroveError } from '../errors.js';
import { copyInto } from '../fs/copy-into.js';
import { artifactEvent, validateEventName } from '../layout/events.js';
import { logicalPath, validateRelPath, validateStep } from '../layout/paths.js';
import { parseDuration } from '../project/duration.js';
import { GcFence } from '../record/gc-log.js';
import { fireHooks } from '../record/hooks.js';
import type { ArtifactRecord } from '../record/records.js';
import { setArtifactAlias } from '../registry/artifact-aliases.js';
import { validateAlias } from '../registry/model-names.js';
import { ensureStored } from '../store/ensure-stored.js';
import type { Progress } from '../store/ingest.js';
import { checkPathText, type Ingested, ingestPath, statArtifactPath } from '../store/ingest.js';
import { lineageRow, type RunContext, relToRoot, summaryOf } from './context.js';
import { recordValues } from './record-value.js';

/**
 * How a dialect package logs (given through `@trove/core/dialect`, never by users): everything
 * the records need is given here, when the records are made, so nothing is patched after a save.
 */
export interface LogAs {
  /**
   * The logical path in the run, as given (run-relative, `/`-separated): MLflow's
   * `<artifact_path>/<file>`, with no `outputs/`. Implies no workspace pointers.
   */
  path?: string;
  /** `false`: no workspace pointers (`.dvc`, `.gitignore` line, dvc.yaml entry). */
  pointers?: false;
  /**
   * The event row at a step in place of the kernel's (Polyaxon's V1EventModel/V1EventArtifact
   * with the caller's time); `false` for none.
   */
  event?: { kind: string; value: unknown; at?: Date } | false;
  /** Values added to the lineage row's summary (Polyaxon's `summary`, `framework`, local `path`). */
  lineageSummary?: Record<string, unknown>;
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
  /**
   * Aliases of the artifact's name moved to this artifact once it is logged (`best`, `prod`):
   * `name@best` then names it, until the alias moves on.
   */
  aliases?: string[];
  /**
   * How long it is kept (`30d`, `12h`): `trove gc --policy` expires it once older, unless it is
   * aliased, registered or a run's input.
   */
  ttl?: string;
  /** Versioned: the artifact goes to `assets/<type>/<name>_<step>[.<ext>]`. */
  step?: number;
  /** Unversioned: the folder under `outputs/`. */
  relPath?: string;
  /**
   * Write the workspace pointers `dvc add` would (`<path>.dvc`, its `.gitignore` line, the
   * dvc.yaml `artifacts:` entry). By default only inside a DVC repository, as DVCLive does, and
   * never for a path outside the project or for an output of a DVC pipeline stage.
   */
  dvc?: boolean;
  onProgress?: (progress: Progress) => void;
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
  as: LogAs = {},
): Promise<ArtifactRecord> {
  ctx.assertActive();
  const type = options.type === undefined ? undefined : validateArtifactType(options.type);
  const name = options.name === undefined ? undefined : validateArtifactName(options.name);
  const step = validateStep(options.step);
  const relPath = validateRelPath(options.relPath);
  if (step !== undefined && relPath !== '') {
    // A step puts it at assets/<type>/<name>_<step>: a relPath would be dropped without a word.
    throw new TroveError(
      'INVALID_ARGUMENT',
      'step and relPath exclude each other: a step logs a versioned asset (assets/<type>/<name>_<step>), relPath an unversioned output (outputs/<relPath>/…).',
    );
  }
  const labels = checkLabels(options.labels);
  const aliases = checkAliases(options.aliases, options.cache);
  if (options.ttl !== undefined) parseDuration(options.ttl, 'ttl');
  const meta = checkMeta(options.meta);
  if (options.desc !== undefined && typeof options.desc !== 'string') {
    throw new TroveError('INVALID_ARGUMENT', 'desc must be a string.');
  }
  const source = resolve(ctx.cwd, checkPathText(path, 'An artifact path'));
  statArtifactPath(source);
  checkNotProjectOrStore(ctx.root, source);
  const artifactName = name ?? defaultArtifactName(source);
  const cache = options.cache ?? true;
  const asPath = as.path === undefined ? undefined : validateRelPath(as.path);
  if (asPath === '') throw new TroveError('INVALID_PATH', 'An artifact path cannot be empty.');
  const tracked = options.copy ? join(ctx.dir, 'artifacts', basename(source)) : source;
  const pointers =
    asPath === undefined && as.pointers !== false && wantsPointers(ctx, tracked, options.dvc);
  if (options.copy) checkFolderPath(dirname(tracked));
  if (pointers) {
    checkPointerPath(tracked);
    checkWritable(dirname(tracked));
  }
  if (step !== undefined) {
    // The events file this will write (and its segments) must be valid keys before anything is stored.
    const name = validateEventName(type ?? 'file', artifactName);
    validateKey(ctx.store.runKey(ctx.id, 'events', type ?? 'file', `${name}.plx.000000`));
  }

  if (cache) ctx.store.prepare();
  // Before any object is looked for: a gc that starts later sees this artifact's record.
  const fence = cache ? await GcFence.open(ctx.store) : undefined;
  const ingested = await ingestPath(source, {
    store: cache ? ctx.store.objects : undefined,
    state: ctx.hashState(),
    onProgress: options.onProgress,
    ...(ctx.dvcRoot ? { dvcRoot: ctx.dvcRoot } : {}),
  });
  ctx.hashState().save();

  if (options.copy) copyInto(source, dirname(tracked));
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
    : {};
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
    aliases,
    ttl: options.ttl,
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
      { ...summaryOf(ingested, step), ...as.lineageSummary },
    ),
  );
  if (step !== undefined && as.event !== false) {
    const kind = type ?? 'file';
    const event = as.event ?? artifactEvent(kind, logical, meta);
    ctx.events.add(event.kind, artifactName, step, event.value, { dir: kind, at: event.at });
  }
  await ctx.persist();
  if (await fence?.crossed()) await ensureStored(ctx.store.objects, ingested.md5, ingested);
  // Moved once the record is saved, so an alias never names an artifact the store lacks.
  for (const alias of aliases ?? []) {
    const set = await setArtifactAlias(ctx.store, artifactName, alias, {
      runId: ctx.id,
      path: logical,
      md5: ingested.md5,
    });
    await fireHooks(ctx.store, 'alias', { kind: 'artifact', action: 'set', ...set });
  }
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
    aliases?: string[];
    ttl?: string | undefined;
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
  if (extra.aliases) record.aliases = extra.aliases;
  if (extra.ttl !== undefined) record.ttl = extra.ttl;
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

function checkAliases(aliases: unknown, cache: boolean | undefined): string[] | undefined {
  if (aliases === undefined) return undefined;
  if (!Array.isArray(aliases)) {
    throw new TroveError('INVALID_ARGUMENT', 'aliases must be a list of strings.');
  }
  if (cache === false && aliases.length > 0) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      'An artifact logged with cache: false cannot have aliases: an alias names stored content.',
    );
  }
  return [...new Set(aliases.map((a) => validateAlias(a)))];
}

function checkMeta(meta: unknown): Record<string, unknown> | undefined {
  if (meta === undefined) return undefined;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new TroveError('INVALID_ARGUMENT', 'meta must be a mapping of keys to values.');
  }
  return recordValues(meta as Record<string, unknown>, 'meta');
}

/** The project root, anything containing it, or the store itself is never logged. */
export function checkNotProjectOrStore(root: string, source: string): void {
  const store = join(root, '.trove');
  if (isWithin(source, root) || isWithin(store, source)) {
    throw new TroveError(
      'INVALID_PATH',
      `${source} is ${isWithin(store, source) ? "trove's own store" : 'the project root (or contains it)'}: it cannot be logged.`,
      { key: source, hint: 'Log the files or folders inside the project instead.' },
    );
  }
}

/**
 * Whether the workspace pointers are written: when asked (`dvc: true|false`), else inside a DVC
 * repository as DVCLive does; never outside the project, and never for an output of a DVC
 * pipeline stage while DVC runs one (`DVC_ROOT` set): DVC tracks those itself.
 */
function wantsPointers(ctx: RunContext, tracked: string, asked: boolean | undefined): boolean {
  if (!isWithin(ctx.root, tracked) || tracked === ctx.root) return false;
  if (asked === false) return false;
  if (asked === undefined && (ctx.dvcRoot === undefined || !isWithin(ctx.dvcRoot, tracked))) {
    return false;
  }
  if (process.env.DVC_ROOT && ctx.dvcRoot && isStageOutput(ctx.dvcRoot, tracked)) return false;
  return true;
}

/** The pointer's folder must be writable before anything is stored. */
function checkWritable(dir: string): void {
  let at = dir;
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  try {
    accessSync(at, constants.W_OK);
  } catch (err) {
    throw new TroveError('PERMISSION_DENIED', `Cannot write the .dvc pointer into ${dir}.`, {
      key: dir,
      cause: err,
      hint: 'Make the folder writable, or log with dvc: false (trove add --no-dvc).',
    });
  }
}

/**
 * A `.gitignore` line and a `.dvc` file name are one line of text: a path with a line break would
 * ignore other files (`/a` and `b` for `a\nb`), so it gets no pointers and is refused.
 */
function checkPointerPath(path: string): void {
  if (/[\r\n]/.test(path)) {
    throw new TroveError(
      'INVALID_PATH',
      `${JSON.stringify(path)} has a line break: no .gitignore line or .dvc pointer can name it.`,
      { key: path, hint: 'Rename the file, or log it with dvc: false (trove add --no-dvc).' },
    );
  }
}

/** `copy: true` copies into this folder: each existing part of it must be a folder. */
function checkFolderPath(dir: string): void {
  for (let at = dir; dirname(at) !== at; at = dirname(at)) {
    let st: Stats;
    try {
      st = statSync(at);
    } catch {
      continue; // made when copying
    }
    if (st.isDirectory()) return;
    throw new TroveError(
      'INVALID_PATH',
      `Cannot copy into ${dir}: ${at} is a file, not a folder.`,
      {
        key: at,
        hint: 'Move that file away, or give the run another folder (dir).',
      },
    );
  }
}
