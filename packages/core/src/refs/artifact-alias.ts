/**
 * Aliases on any artifact by name and version, as `trove alias set|rm|ls` and `logArtifact`'s
 * `aliases` move them: a version is resolved to the one artifact it is now (its run, path and
 * md5), and the alias pins that (`registry/artifact-aliases.ts`).
 */
import { validateArtifactName } from '../dvc/artifact-name.js';
import { TroveError } from '../errors.js';
import { fireHooks } from '../record/hooks.js';
import type { Store } from '../record/store.js';
import {
  type AliasTarget,
  type ArtifactAlias,
  deleteArtifactAlias,
  listArtifactAliases,
  setArtifactAlias,
} from '../registry/artifact-aliases.js';
import { validateAlias } from '../registry/model-names.js';
import { artifactVersionNumbers } from '../tables/find-artifacts.js';
import { findNamedArtifact } from './resolve-ref.js';

/** An alias as listed, with the version number its artifact has (undefined once it is gone). */
export interface ListedAlias extends ArtifactAlias {
  version?: number;
}

/**
 * Points `alias` of the artifact `name` at its version `version` (`3` or `v3`), or at its newest
 * when omitted. Names, alias and version are checked before anything is written.
 */
export async function setAlias(
  store: Store,
  name: string,
  alias: string,
  version?: number | string,
): Promise<ListedAlias> {
  validateArtifactName(name);
  validateAlias(alias);
  const n = version === undefined ? undefined : parseVersion(version);
  const found = await findNamedArtifact(store, name, n);
  if (!found) {
    throw new TroveError(
      'NOT_FOUND',
      n === undefined
        ? `No artifact named "${name}" in store "${store.name}".`
        : `Artifact "${name}" has no version ${n}.`,
      { hint: 'Use `trove ls` to see what runs logged.' },
    );
  }
  const { runId, path, record } = found;
  const set = await setArtifactAlias(store, name, alias, { runId, path, md5: record.md5 });
  // A version asked for by number is that number: only the newest needs its number looked up.
  const number = n ?? (await artifactVersionNumbers(store, [name])).get(`${runId}/${path}`);
  const listed = { ...set, ...(number !== undefined ? { version: number } : {}) };
  await fireHooks(store, 'alias', { kind: 'artifact', action: 'set', ...listed });
  return listed;
}

/** Removes `alias` of the artifact `name` (`NOT_FOUND` when it is not set). */
export async function removeAlias(
  store: Store,
  name: string,
  alias: string,
): Promise<AliasTarget | undefined> {
  const removed = await deleteArtifactAlias(store, name, alias);
  await fireHooks(store, 'alias', { kind: 'artifact', action: 'remove', name, alias, ...removed });
  return removed;
}

/** Every alias of `name` (or of every artifact), with the version number each points at. */
export async function listAliases(store: Store, name?: string): Promise<ListedAlias[]> {
  const aliases = await listArtifactAliases(store, name);
  if (aliases.length === 0) return [];
  const numbers = await artifactVersionNumbers(store, [...new Set(aliases.map((a) => a.name))]);
  return aliases.map((a) => {
    const number = numbers.get(`${a.runId}/${a.path}`);
    return number === undefined ? a : { ...a, version: number };
  });
}

/** A version as given: `3`, `"3"` or `"v3"`, an integer ≥ 1. */
function parseVersion(version: number | string): number {
  const n =
    typeof version === 'string' ? Number(/^v?(\d+)$/i.exec(version)?.[1] ?? Number.NaN) : version;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Invalid version ${JSON.stringify(version)}: a version is an integer ≥ 1 (3 or v3).`,
    );
  }
  return n;
}
