/**
 * How `trove push|pull|sync` merges a registered model's document from another store into this
 * one (the rule the README states). It is a pure function of the two documents, so it runs as a
 * compare-and-swap update like every other registry change, and merging the same source twice
 * changes nothing the second time.
 *
 * - A version is the same version on both stores when it carries the same change id (the id of
 *   the registration that created it, kept wherever it is copied). Versions the target has are
 *   never changed or removed: no version is lost.
 * - A source version the target lacks keeps its number when the target never used that number
 *   (it is at or past the target's `nextVersion`); otherwise it is appended with the next free
 *   number, and `origin` records the store and number it had there. Numbers kept come first, then
 *   the appended ones in the source's order.
 * - An alias moves to the version the source's alias names only where the target's alias was
 *   not moved since the last merge from that source: `syncBase[source]` holds each alias as this
 *   merge left it. An alias the target has and never received from that source is the target's
 *   own and stays; one the target lacks is added, unless it was received and removed since.
 *   Removals (of versions or aliases) on the source are not carried over.
 * - Model tags and the description: the target's win where both have one.
 */
import type { RegistryDoc, VersionDoc } from './registry-doc.js';

/** A version's identity across stores: its change id, else its content and creation time. */
function identity(v: VersionDoc): string {
  return v.changeId ?? `${v.md5}|${v.creationTimestamp}`;
}

/**
 * `target` with what `source` (the document of the same model on the store `sourceStore`) adds.
 * `target` may be absent (a model the target does not have). The input is not changed.
 */
export function mergeRegistryDoc(
  target: RegistryDoc | undefined,
  source: RegistryDoc,
  sourceStore: string,
): RegistryDoc {
  const next: RegistryDoc = target
    ? structuredClone(target)
    : {
        format: 1,
        name: source.name,
        creationTimestamp: source.creationTimestamp,
        lastUpdatedTimestamp: source.lastUpdatedTimestamp,
        tags: {},
        aliases: {},
        nextVersion: 1,
        versions: [],
      };
  const byIdentity = new Map(next.versions.map((v) => [identity(v), v.version]));
  const used = new Set(next.versions.map((v) => v.version));
  /** Source version number → the number it has on the target. */
  const numbers = new Map<number, number>();
  const appended: VersionDoc[] = [];
  const added: VersionDoc[] = [];
  for (const v of [...source.versions].sort((a, b) => a.version - b.version)) {
    const known = byIdentity.get(identity(v));
    if (known !== undefined) {
      numbers.set(v.version, known);
      continue;
    }
    if (!used.has(v.version) && v.version >= next.nextVersion) {
      const copy = structuredClone(v);
      added.push(copy);
      used.add(v.version);
      numbers.set(v.version, v.version);
      next.nextVersion = v.version + 1;
    } else {
      appended.push(v);
    }
  }
  for (const v of appended) {
    const number = next.nextVersion++;
    added.push({
      ...structuredClone(v),
      version: number,
      origin: v.origin ?? { store: sourceStore, version: v.version },
    });
    numbers.set(v.version, number);
  }
  if (added.length > 0) {
    next.versions = [...next.versions, ...added].sort((a, b) => a.version - b.version);
  }
  mergeAliases(next, source, sourceStore, numbers);
  for (const [k, value] of Object.entries(source.tags)) if (!(k in next.tags)) next.tags[k] = value;
  if (next.description === undefined && source.description !== undefined) {
    next.description = source.description;
  }
  next.creationTimestamp = Math.min(next.creationTimestamp, source.creationTimestamp);
  if (added.length > 0 || JSON.stringify(next) !== JSON.stringify(target)) {
    next.lastUpdatedTimestamp = Math.max(next.lastUpdatedTimestamp, source.lastUpdatedTimestamp);
  }
  return next;
}

function mergeAliases(
  next: RegistryDoc,
  source: RegistryDoc,
  sourceStore: string,
  numbers: ReadonlyMap<number, number>,
): void {
  const base = next.syncBase?.[sourceStore] ?? {};
  const after: Record<string, number> = {};
  for (const [alias, sourceVersion] of Object.entries(source.aliases)) {
    const wanted = numbers.get(sourceVersion);
    const current = next.aliases[alias];
    const received = base[alias];
    const untouched =
      (current === undefined && received === undefined) ||
      (current !== undefined && current === received);
    if (wanted !== undefined && untouched) next.aliases[alias] = wanted;
    // The base remembers what this source gave: an alias the target set on its own (or removed)
    // stays unlike it, so later merges leave it alone too.
    const kept = wanted !== undefined && next.aliases[alias] === wanted ? wanted : received;
    if (kept !== undefined) after[alias] = kept;
  }
  if (Object.keys(after).length > 0 || next.syncBase?.[sourceStore] !== undefined) {
    next.syncBase = { ...next.syncBase, [sourceStore]: after };
  }
}
