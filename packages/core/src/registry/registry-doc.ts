/**
 * The document a registered model is on the store: `registry/<name>.json`. Every change is a
 * pure function of the previous document (or of none, for a new model), so a writer that loses
 * a conditional-write race re-reads and applies the same change again. Every change carries an
 * id the document keeps (a new version holds it for good, every change for the last
 * `RECENT_CHANGES` changes, `record/cas-doc.ts`), so a writer whose answer was lost recognises its
 * change on the next read instead of applying it twice.
 */
import { TroveError } from '../errors.js';

/** What a version points at: the content (by md5) and where it came from. */
export interface VersionContent {
  /** The URI it was registered from (`runs:/<run>/<path>`, `models:/<id>`, …). */
  source: string;
  md5: string;
  isdir: boolean;
  size?: number;
  nfiles?: number;
  runId?: string;
  /** The logged model's id (`m-…`) when the source was one. */
  modelId?: string;
}

export interface VersionDoc extends VersionContent {
  version: number;
  /** The id of the change that added this version: how its writer finds it after a lost answer. */
  changeId?: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  status: 'READY';
  description?: string;
  tags: Record<string, string>;
  /** Set when a sync appended it under another number: the store and number it had there. */
  origin?: { store: string; version: number };
}

export interface RegistryDoc {
  format: 1;
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description?: string;
  tags: Record<string, string>;
  /** alias → version number. */
  aliases: Record<string, number>;
  /** The number the next version gets: numbers are never reused, even after a delete. */
  nextVersion: number;
  versions: VersionDoc[];
  /** The ids of the last changes applied, oldest first (at most `RECENT_CHANGES`). */
  recentChanges?: string[];
  /** By source store id: each alias as the last sync from that store left it (`merge-doc.ts`). */
  syncBase?: Record<string, Record<string, number>>;
}

/** Whether a version was added by the change `id` (kept for good, past the recent changes). */
export function hasChange(doc: RegistryDoc, id: string): boolean {
  return doc.versions.some((v) => v.changeId === id);
}

/** A change to a model's document; `undefined` in, for a model not registered yet. */
export type DocUpdate = (doc: RegistryDoc | undefined, now: number) => RegistryDoc;

function newDoc(name: string, now: number): RegistryDoc {
  return {
    format: 1,
    name,
    creationTimestamp: now,
    lastUpdatedTimestamp: now,
    tags: {},
    aliases: {},
    nextVersion: 1,
    versions: [],
  };
}

export function requireDoc(doc: RegistryDoc | undefined, name: string): RegistryDoc {
  if (!doc) throw new TroveError('NOT_FOUND', `No registered model named "${name}".`);
  return doc;
}

export function findVersion(doc: RegistryDoc, version: number): VersionDoc {
  const found = doc.versions.find((v) => v.version === version);
  if (!found) {
    throw new TroveError('NOT_FOUND', `Model "${doc.name}" has no version ${version}.`);
  }
  return found;
}

/** Adds the next version, marked with `changeId` (its writer finds it by that id). */
export function addVersion(
  name: string,
  content: VersionContent,
  extra: { description?: string; tags?: Record<string, string> },
  changeId: string,
): DocUpdate {
  return (doc, now) => {
    const next = doc ?? newDoc(name, now);
    const version: VersionDoc = {
      version: next.nextVersion,
      changeId,
      ...content,
      creationTimestamp: now,
      lastUpdatedTimestamp: now,
      status: 'READY',
      ...(extra.description !== undefined ? { description: extra.description } : {}),
      tags: { ...extra.tags },
    };
    next.versions.push(version);
    next.nextVersion += 1;
    next.lastUpdatedTimestamp = now;
    return next;
  };
}

export function setAlias(name: string, alias: string, version: number): DocUpdate {
  return (doc, now) => {
    const next = requireDoc(doc, name);
    findVersion(next, version);
    next.aliases[alias] = version;
    next.lastUpdatedTimestamp = now;
    return next;
  };
}

export function deleteAlias(name: string, alias: string): DocUpdate {
  return (doc, now) => {
    const next = requireDoc(doc, name);
    if (!(alias in next.aliases)) {
      throw new TroveError('NOT_FOUND', `Model "${name}" has no alias "${alias}".`);
    }
    delete next.aliases[alias];
    next.lastUpdatedTimestamp = now;
    return next;
  };
}

export function setVersionTag(
  name: string,
  version: number,
  key: string,
  value: string,
): DocUpdate {
  return (doc, now) => {
    const next = requireDoc(doc, name);
    const v = findVersion(next, version);
    v.tags[key] = value;
    v.lastUpdatedTimestamp = now;
    next.lastUpdatedTimestamp = now;
    return next;
  };
}

export function setModelTag(name: string, key: string, value: string): DocUpdate {
  return (doc, now) => {
    const next = requireDoc(doc, name);
    next.tags[key] = value;
    next.lastUpdatedTimestamp = now;
    return next;
  };
}

export function setDescription(name: string, description: string, version?: number): DocUpdate {
  return (doc, now) => {
    const next = requireDoc(doc, name);
    if (version === undefined) next.description = description;
    else {
      const v = findVersion(next, version);
      v.description = description;
      v.lastUpdatedTimestamp = now;
    }
    next.lastUpdatedTimestamp = now;
    return next;
  };
}

/** Removes a version and every alias that pointed at it (MLflow does the same). */
export function deleteVersion(name: string, version: number): DocUpdate {
  return (doc, now) => {
    const next = requireDoc(doc, name);
    findVersion(next, version);
    next.versions = next.versions.filter((v) => v.version !== version);
    for (const [alias, v] of Object.entries(next.aliases)) {
      if (v === version) delete next.aliases[alias];
    }
    next.lastUpdatedTimestamp = now;
    return next;
  };
}

/** Checks a document read from the store has the shape this code writes. */
export function checkDoc(value: unknown, key: string): RegistryDoc {
  const doc = value as RegistryDoc;
  if (
    typeof doc !== 'object' ||
    doc === null ||
    doc.format !== 1 ||
    typeof doc.name !== 'string' ||
    !Array.isArray(doc.versions) ||
    typeof doc.nextVersion !== 'number'
  ) {
    throw new TroveError('CORRUPT', `${key} is not a trove registry document.`, { key });
  }
  return doc;
}
