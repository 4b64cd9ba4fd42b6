/**
 * DVCLive's `log_artifact` rules (dvc-formats.md §5.9). Inside a DVC repository: `copy` into
 * `<dir>/artifacts/`, `dvc add` unless `cache: false` (the `.dvc` pointer and `.gitignore` line
 * core writes as DVC does), and an `artifacts:` entry in dvc.yaml when any metadata is given and
 * the name passes DVC's rule (else a warning). Outside one: DVCLive's warning and nothing in
 * the workspace. Either way the artifact is stored in the trove run.
 */
import { existsSync } from 'node:fs';
import { basename, join, parse, resolve } from 'node:path';
import type { LogArtifactOptions } from '@trove/core';
import { TroveError } from '@trove/core';
import { defaultArtifactName } from '@trove/core/dialect';
import type { LiveArtifactEntry } from './live-dvcyaml.js';
import type { LiveRun } from './live-run.js';
import { isArtifactName } from './plots.js';

/** DVCLive's `log_artifact` keywords. */
export type LiveArtifactOptions = Pick<
  LogArtifactOptions,
  'type' | 'name' | 'desc' | 'labels' | 'meta' | 'copy' | 'cache'
>;

export interface ArtifactPlace {
  cwd: string;
  dir: string;
  dvcRoot: string | undefined;
  run: LiveRun;
  warn(message: string): void;
}

/** What a logged artifact adds to the Live: its dvc.yaml entry and files for `dvc exp save`. */
export interface LoggedArtifact {
  name?: string;
  entry?: LiveArtifactEntry;
  untracked: string[];
}

export async function logLiveArtifact(
  place: ArtifactPlace,
  path: string,
  options: LiveArtifactOptions,
): Promise<LoggedArtifact> {
  if (typeof path !== 'string' || path === '') {
    throw new TroveError('INVALID_ARGUMENT', `Data '${String(path)}' has not supported type.`);
  }
  const abs = resolve(place.cwd, path);
  if (!existsSync(abs)) throw new TroveError('NOT_FOUND', `No such file or directory: ${path}`);
  const inRepo = place.dvcRoot !== undefined;
  const tracked = options.copy && inRepo ? join(place.dir, 'artifacts', basename(abs)) : abs;
  const { type, desc, labels, meta } = options;
  const given = [type, options.name, desc, labels, meta].some((v) => v);
  const name = options.name || parse(tracked).name;
  const validName = isArtifactName(name);
  if (!inRepo) {
    place.warn(`A DVC repo is required to log artifacts. Skipping \`log_artifact(${path})\`.`);
  } else if (given && !validName) {
    place.warn(
      `Can't use '${name}' as artifact name (ID). It will not be included in the \`artifacts\` section.`,
    );
  }
  const cache = options.cache !== false;
  await place.run.logArtifact(abs, {
    ...(type !== undefined && /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/.test(type) ? { type } : {}),
    name: validName ? name : defaultArtifactName(tracked),
    ...(desc !== undefined ? { desc } : {}),
    ...(labels !== undefined ? { labels } : {}),
    ...(meta !== undefined ? { meta } : {}),
    copy: options.copy === true && inRepo,
    cache,
    dvc: inRepo && cache,
  });
  const out: LoggedArtifact = {
    untracked: inRepo && cache ? [`${tracked}.dvc`, join(tracked, '..', '.gitignore')] : [],
  };
  if (inRepo && given && validName) {
    const entry: LiveArtifactEntry = { path: tracked };
    if (type != null) entry.type = type;
    if (desc != null) entry.desc = desc;
    if (labels != null) entry.labels = [...labels];
    if (meta != null) entry.meta = structuredClone(meta);
    out.name = name;
    out.entry = entry;
  }
  return out;
}
