/**
 * Aliases of artifacts (`best`, `prod`, …), one document per artifact name at
 * `aliases/<name>.json` in the store's metadata backend. Each alias pins one logged artifact (its
 * run, logical path and md5), so `name@best` keeps naming the same bytes after newer versions are
 * logged. Moving an alias is a conditional write with an id per change (`record/cas-doc.ts`), as
 * the model registry does: with many writers no move is lost and none is applied twice.
 */
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import { validateArtifactName } from '../dvc/artifact-name.js';
import { TroveError } from '../errors.js';
import { type ChangeLog, readDoc, updateDoc } from '../record/cas-doc.js';
import type { MetaLocation } from '../record/meta-io.js';
import { validateAlias } from './model-names.js';

/** What an alias points at: one artifact of one run. */
export interface AliasTarget {
  runId: string;
  /** The artifact's logical path in the run. */
  path: string;
  md5: string;
  /** When the alias was last moved here (ISO 8601). */
  setAt: string;
}

interface ArtifactAliasDoc extends ChangeLog {
  format: 1;
  /** The artifact name. */
  name: string;
  aliases: Record<string, AliasTarget>;
}

/** One alias of one artifact name, as listed. */
export interface ArtifactAlias extends AliasTarget {
  name: string;
  alias: string;
}

const ALIAS_DOC = { check: checkAliasDoc };
const ALIASES_DIR = 'aliases';
const READ_CONCURRENCY = 16;

function aliasKey(store: MetaLocation, name: string): string {
  return joinKey(store.metaPrefix, ALIASES_DIR, `${name}.json`);
}

/** Points `alias` of `name` at `target` (moving it when set); resolves once it is in the store. */
export async function setArtifactAlias(
  store: MetaLocation,
  name: string,
  alias: string,
  target: Omit<AliasTarget, 'setAt'>,
): Promise<ArtifactAlias> {
  validateArtifactName(name);
  validateAlias(alias);
  const setAt = new Date().toISOString();
  await updateDoc(store, aliasKey(store, name), ALIAS_DOC, (doc) => {
    const next = doc ?? { format: 1, name, aliases: {} };
    next.aliases[alias] = { runId: target.runId, path: target.path, md5: target.md5, setAt };
    return next;
  });
  return { name, alias, ...target, setAt };
}

/**
 * Removes `alias` of `name`; `NOT_FOUND` when it is not set (nothing is written then). Resolves
 * with what it pointed at, or undefined when a lost answer's read found the removal done.
 */
export async function deleteArtifactAlias(
  store: MetaLocation,
  name: string,
  alias: string,
): Promise<AliasTarget | undefined> {
  validateArtifactName(name);
  validateAlias(alias);
  let removed: AliasTarget | undefined;
  await updateDoc(store, aliasKey(store, name), ALIAS_DOC, (doc) => {
    const target = doc?.aliases[alias];
    if (!doc || !target) {
      throw new TroveError('NOT_FOUND', `Artifact "${name}" has no alias "${alias}".`, {
        hint: 'Use `trove alias ls` to see the aliases set.',
      });
    }
    removed = target;
    delete doc.aliases[alias];
    return doc;
  });
  return removed;
}

/** The alias `alias` of `name`, or undefined when it is not set. */
export async function getArtifactAlias(
  store: MetaLocation,
  name: string,
  alias: string,
): Promise<AliasTarget | undefined> {
  const found = await readDoc(store, aliasKey(store, name), ALIAS_DOC);
  return found?.doc.aliases[alias];
}

/** Every alias of `name` (or of every artifact name), by name then alias. */
export async function listArtifactAliases(
  store: MetaLocation,
  name?: string,
): Promise<ArtifactAlias[]> {
  const names: string[] = [];
  if (name !== undefined) names.push(validateArtifactName(name));
  else {
    const prefix = joinKey(store.metaPrefix, `${ALIASES_DIR}/`);
    for await (const entry of store.meta.list(prefix)) {
      const rest = entry.key.slice(prefix.length);
      if (rest.endsWith('.json')) names.push(rest.slice(0, -'.json'.length));
    }
  }
  names.sort();
  // One read a name, 16 at a time (a policy gc reads every name's document).
  const docs = await mapLimit(names, READ_CONCURRENCY, (n) =>
    readDoc(store, aliasKey(store, n), ALIAS_DOC),
  );
  const out: ArtifactAlias[] = [];
  for (const [i, n] of names.entries()) {
    const found = docs[i];
    if (!found) continue;
    for (const [alias, target] of Object.entries(found.doc.aliases).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )) {
      out.push({ name: n, alias, ...target });
    }
  }
  return out;
}

function checkAliasDoc(value: unknown, key: string): ArtifactAliasDoc {
  const doc = value as ArtifactAliasDoc;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    doc.format !== 1 ||
    typeof doc.name !== 'string' ||
    typeof doc.aliases !== 'object' ||
    doc.aliases === null
  ) {
    throw new TroveError('CORRUPT', `${key} is not a trove alias document.`, { key });
  }
  return doc;
}
