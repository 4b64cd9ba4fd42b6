import { validateArtifactName } from '../dvc/artifact-name.js';
import { TroveError } from '../errors.js';
import type { ArtifactRecord } from '../record/records.js';
import type { Store } from '../record/store.js';
import { getArtifactAlias } from '../registry/artifact-aliases.js';
import { isModelId } from '../registry/logged-models.js';
import { validateAlias } from '../registry/model-names.js';
import { MODELS_SCHEME, resolveModelUri } from '../registry/model-uri.js';
import { findArtifactByName, findArtifactVersion } from '../tables/find-artifacts.js';

export interface ResolvedArtifact {
  md5: string;
  isdir: boolean;
  name: string;
  kind: string;
  size?: number;
  nfiles?: number;
  /** The run and record it came from; absent when resolved by content hash alone. */
  runId?: string;
  record?: ArtifactRecord;
}

const MD5_RE = /^(?:md5:)?([0-9a-f]{32}(?:\.dir)?)$/;
const RUNS_URI_RE = /^runs:\/([^/]+)\/(.+)$/;
const RUN_PATH_RE = /^([0-9a-f]{8,32})\/(.+)$/;

/**
 * Resolves what a user names an artifact by:
 * - `runs:/<run>/<logical path>` or `<run>/<logical path>` (MLflow's URI, or its short form);
 * - an md5 (`<hex>`, `<hex>.dir`, `md5:<hex>`): the content itself;
 * - `models:/<name>/<version>`, `models:/<name>@<alias>`, `models:/<name>/latest`, `models:/<model-id>`;
 * - an artifact name: the newest artifact of that name across runs; `name:v<N>` its N-th version
 *   in logging order; `name@<alias>` the one an alias points at (`name@<run>` picks a run).
 */
export async function resolveArtifactRef(store: Store, ref: string): Promise<ResolvedArtifact> {
  if (typeof ref !== 'string' || ref === '') {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `A reference is a non-empty string (a name, runs:/…, models:/… or an md5), not ${ref === '' ? 'an empty string' : typeof ref}.`,
    );
  }
  if (ref.startsWith(MODELS_SCHEME)) return resolveModelRef(store, ref);
  const md5 = MD5_RE.exec(ref);
  if (md5?.[1]) {
    const hash = md5[1];
    if (!(await store.objects.readable(hash))) {
      throw new TroveError('NOT_FOUND', `No object ${hash} in store "${store.name}".`);
    }
    return {
      md5: hash,
      isdir: hash.endsWith('.dir'),
      name: hash,
      kind: hash.endsWith('.dir') ? 'dir' : 'file',
    };
  }
  const byPath = RUNS_URI_RE.exec(ref) ?? RUN_PATH_RE.exec(ref);
  if (byPath?.[1] && byPath[2]) {
    const runId = await store.resolveRunId(byPath[1]);
    const path = byPath[2].replace(/\/+$/, '');
    const record = (await store.readArtifacts(runId))[path];
    if (record) return fromRecord(runId, record);
    // MLflow 3: `runs:/<run>/<name>` also names the model the run logged under that name.
    const model = await loggedModelOfRun(store, runId, path);
    if (model) return resolveModelRef(store, `${MODELS_SCHEME}${model}`);
    throw new TroveError('NOT_FOUND', `Run ${runId} has no artifact at ${path}.`);
  }
  const version = VERSION_RE.exec(ref);
  if (version?.[1] && version[2]) return resolveVersion(store, version[1], Number(version[2]));
  const at = ref.lastIndexOf('@');
  const name = at > 0 ? ref.slice(0, at) : ref;
  if (at > 0) {
    const aliased = await resolveAlias(store, name, ref.slice(at + 1));
    if (aliased) return aliased;
    const runId = await store.resolveRunId(ref.slice(at + 1));
    const found = newestByName(await store.readArtifacts(runId), name);
    if (found) return fromRecord(runId, found);
  } else {
    const found = await findNamedArtifact(store, name);
    if (found) return fromRecord(found.runId, found.record);
  }
  throw new TroveError('NOT_FOUND', `No artifact named "${name}" in store "${store.name}".`, {
    hint: 'Use `trove ls` to see what runs logged.',
  });
}

/** `name:v<N>`: names cannot hold a colon (DVC's rule), so this never shadows one. */
const VERSION_RE = /^([^:@]+):v(\d+)$/;

async function resolveVersion(store: Store, name: string, n: number): Promise<ResolvedArtifact> {
  const found = n >= 1 ? await findNamedArtifact(store, name, n) : undefined;
  if (!found) {
    throw new TroveError('NOT_FOUND', `Artifact "${name}" has no version ${n}.`, {
      hint: 'Versions are numbered from 1 in logging order: `trove ls` lists them.',
    });
  }
  return fromRecord(found.runId, found.record);
}

/**
 * The run and record of the artifact `name` (its version `n` in logging order, or its newest):
 * the tables say where it is, its run's folder gives the record. Undefined when there is none.
 */
export async function findNamedArtifact(
  store: Store,
  name: string,
  n?: number,
): Promise<{ runId: string; path: string; record: ArtifactRecord } | undefined> {
  const where =
    n === undefined
      ? await findArtifactByName(store, name, () => {})
      : await findArtifactVersion(store, name, n);
  const record = where && (await store.readArtifacts(where.runId))[where.path];
  return where && record && { ...where, record };
}

/**
 * The artifact `alias` of `name` points at, or undefined when no such alias is set (the text
 * after `@` may then be a run id). The alias pins content: a record of that path logged again
 * with other bytes since is not what the alias names.
 */
async function resolveAlias(
  store: Store,
  name: string,
  alias: string,
): Promise<ResolvedArtifact | undefined> {
  if (!passes(validateArtifactName, name) || !passes(validateAlias, alias)) return undefined;
  const target = await getArtifactAlias(store, name, alias);
  if (!target) return undefined;
  const record = (await store.readArtifacts(target.runId))[target.path];
  if (record?.md5 === target.md5) return fromRecord(target.runId, record);
  return {
    md5: target.md5,
    isdir: target.md5.endsWith('.dir'),
    name,
    kind: target.md5.endsWith('.dir') ? 'dir' : 'file',
    runId: target.runId,
  };
}

/** Whether `value` passes `check` (a validator that throws). */
function passes(check: (value: string) => unknown, value: string): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

function newestByName(
  artifacts: Record<string, ArtifactRecord>,
  name: string,
): ArtifactRecord | undefined {
  let best: ArtifactRecord | undefined;
  for (const record of Object.values(artifacts)) {
    if (record.name !== name) continue;
    if (!best || record.loggedAt >= best.loggedAt) best = record;
  }
  return best;
}

function fromRecord(runId: string, record: ArtifactRecord): ResolvedArtifact {
  if (!record.cached) {
    throw new TroveError(
      'NOT_FOUND',
      `Artifact ${record.path} of run ${runId} was logged without its content (cache: false).`,
    );
  }
  return {
    md5: record.md5,
    isdir: record.isdir,
    name: record.name,
    kind: record.type ?? (record.isdir ? 'dir' : 'file'),
    size: record.size,
    nfiles: record.nfiles,
    runId,
    record,
  };
}

/** The id of the newest model `runId` logged as `name` (its lineage row `models:/<id>`). */
async function loggedModelOfRun(
  store: Store,
  runId: string,
  name: string,
): Promise<string | undefined> {
  let found: string | undefined;
  for (const row of await store.readLineage(runId)) {
    if (row.isInput || row.name !== name || !row.path.startsWith(MODELS_SCHEME)) continue;
    const id = row.path.slice(MODELS_SCHEME.length);
    if (isModelId(id)) found = id;
  }
  return found;
}

async function resolveModelRef(store: Store, uri: string): Promise<ResolvedArtifact> {
  const target = await resolveModelUri(store, uri);
  if ('logged' in target) {
    const { runId, artifactPath, name, md5, isdir, size, nfiles } = target.logged;
    if (md5 !== undefined) {
      return {
        md5,
        isdir: isdir ?? md5.endsWith('.dir'),
        name,
        kind: 'model',
        ...(size !== undefined ? { size } : {}),
        ...(nfiles !== undefined ? { nfiles } : {}),
        ...(runId !== undefined ? { runId } : {}),
      };
    }
    return { ...(await resolveArtifactRef(store, `runs:/${runId}/${artifactPath}`)), name };
  }
  const v = target.version;
  const path = v.source.startsWith('runs:/') ? RUNS_URI_RE.exec(v.source)?.[2] : undefined;
  const record = v.runId && path ? (await store.readArtifacts(v.runId))[path] : undefined;
  return {
    md5: v.md5,
    isdir: v.isdir,
    name: v.name,
    kind: 'model',
    ...(v.size !== undefined ? { size: v.size } : {}),
    ...(v.nfiles !== undefined ? { nfiles: v.nfiles } : {}),
    ...(v.runId ? { runId: v.runId } : {}),
    ...(record?.md5 === v.md5 ? { record } : {}),
  };
}
