/**
 * The model registry, on the store itself: one JSON document per registered model at
 * `registry/<name>.json` in the store's metadata backend. There is no server and no database:
 * every change reads the document with its etag, applies a pure update, and writes it back with
 * `ifMatch: etag` (`ifNoneMatch: "*"` for a new model). A writer that loses the race reads again
 * and re-applies its update, so with many writers no change is lost and version numbers are
 * 1…N without gaps or repeats, on every backend whose conditional writes are atomic.
 *
 * Every change has an id the document keeps (`registry-doc.ts`, `record/cas-doc.ts`): a writer
 * whose answer was lost finds its change on the next read instead of applying it twice.
 */
import { randomUUID } from 'node:crypto';
import { joinKey } from '../backend/keys.js';
import { TroveError } from '../errors.js';
import { readDoc, updateDoc } from '../record/cas-doc.js';
import type { MetaLocation } from '../record/meta-io.js';
import { mergeRegistryDoc } from './merge-doc.js';
import { validateAlias, validateModelName, validateTag, validateVersion } from './model-names.js';
import type { DocUpdate, RegistryDoc, VersionContent, VersionDoc } from './registry-doc.js';
import * as docs from './registry-doc.js';

export type { VersionContent } from './registry-doc.js';

/** One version of a registered model (MLflow's `ModelVersion`). */
export interface ModelVersion extends Omit<VersionDoc, 'changeId'> {
  name: string;
  /** The aliases that point at this version. */
  aliases: string[];
}

/** A registered model (MLflow's `RegisteredModel`); `aliases` maps alias → version number. */
export interface RegisteredModel extends Omit<RegistryDoc, 'format' | 'nextVersion' | 'versions'> {
  /** The highest version number still registered, if any. */
  latestVersion?: number;
  versionCount: number;
}

/** Turns a URI (`runs:/…`, `models:/…`, an md5) into the content a version points at. */
export type SourceResolver = (uri: string) => Promise<VersionContent>;

export interface SearchVersionsOptions {
  name?: string;
  runId?: string;
  /** Only versions that carry this tag (and value, when given). */
  tag?: { key: string; value?: string };
}

export class ModelRegistry {
  readonly #store: MetaLocation;
  readonly #resolve: SourceResolver | undefined;

  constructor(store: MetaLocation, resolve?: SourceResolver) {
    this.#store = store;
    this.#resolve = resolve;
  }

  /**
   * Registers what `uri` names as the next version of `name` (created when new). The URI is
   * resolved first: one that names nothing is `NOT_FOUND` and the registry is left unchanged.
   */
  async registerModel(
    uri: string,
    name: string,
    options: { description?: string; tags?: Record<string, unknown> } = {},
  ): Promise<ModelVersion> {
    validateModelName(name);
    const tags = checkTags(options.tags);
    if (!this.#resolve) throw new TroveError('INTERNAL', 'This registry cannot resolve URIs.');
    const content = await this.#resolve(uri);
    return this.createVersion(name, content, {
      ...(options.description !== undefined ? { description: options.description } : {}),
      tags,
    });
  }

  /** Adds a version pointing at content already resolved. */
  async createVersion(
    name: string,
    content: VersionContent,
    options: { description?: string; tags?: Record<string, unknown> } = {},
  ): Promise<ModelVersion> {
    validateModelName(name);
    const tags = checkTags(options.tags);
    // The version is found by its change id: the document may be one read after a lost answer,
    // with other writers' versions after this one.
    const id = randomUUID();
    const doc = await this.#update(
      name,
      docs.addVersion(name, content, { ...options, tags }, id),
      id,
    );
    const mine = doc.versions.find((v) => v.changeId === id);
    if (!mine) throw new TroveError('NOT_FOUND', `Model "${name}" lost the version just added.`);
    return toVersion(doc, mine);
  }

  async getModel(name: string): Promise<RegisteredModel> {
    return toModel(docs.requireDoc(await this.#read(validateModelName(name)), name));
  }

  async getVersion(name: string, version: number | string): Promise<ModelVersion> {
    const n = validateVersion(version);
    const doc = docs.requireDoc(await this.#read(validateModelName(name)), name);
    return toVersion(doc, docs.findVersion(doc, n));
  }

  async getVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateAlias(alias);
    const doc = docs.requireDoc(await this.#read(validateModelName(name)), name);
    const version = doc.aliases[alias];
    if (version === undefined) {
      throw new TroveError('NOT_FOUND', `Model "${name}" has no alias "${alias}".`);
    }
    return toVersion(doc, docs.findVersion(doc, version));
  }

  /** The highest version number registered (`models:/<name>/latest`). */
  async latestVersion(name: string): Promise<ModelVersion> {
    const doc = docs.requireDoc(await this.#read(validateModelName(name)), name);
    const last = doc.versions.at(-1);
    if (!last) throw new TroveError('NOT_FOUND', `Model "${name}" has no versions.`);
    return toVersion(doc, last);
  }

  /** Every registered model, by name. */
  async listModels(): Promise<RegisteredModel[]> {
    const models: RegisteredModel[] = [];
    for await (const name of this.#names()) {
      const doc = await this.#read(name);
      if (doc) models.push(toModel(doc));
    }
    return models;
  }

  /** Versions across models (or of one), newest first within each model. */
  async searchVersions(options: SearchVersionsOptions = {}): Promise<ModelVersion[]> {
    const names = options.name !== undefined ? [validateModelName(options.name)] : [];
    if (options.name === undefined) for await (const n of this.#names()) names.push(n);
    const found: ModelVersion[] = [];
    for (const name of names) {
      const doc = await this.#read(name);
      if (!doc) continue;
      for (const v of [...doc.versions].reverse()) {
        if (options.runId !== undefined && v.runId !== options.runId) continue;
        const tag = options.tag;
        if (
          tag &&
          (!(tag.key in v.tags) || (tag.value !== undefined && v.tags[tag.key] !== tag.value))
        )
          continue;
        found.push(toVersion(doc, v));
      }
    }
    return found;
  }

  /** Points `alias` at a version (moving it if set). An alias on a missing version is `NOT_FOUND`. */
  async setAlias(name: string, alias: string, version: number | string): Promise<void> {
    validateModelName(name);
    await this.#update(name, docs.setAlias(name, validateAlias(alias), validateVersion(version)));
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    validateModelName(name);
    await this.#update(name, docs.deleteAlias(name, validateAlias(alias)));
  }

  async setVersionTag(
    name: string,
    version: number | string,
    key: string,
    value: unknown,
  ): Promise<void> {
    validateModelName(name);
    const n = validateVersion(version);
    const [k, v] = validateTag(key, value);
    await this.#update(name, docs.setVersionTag(name, n, k, v));
  }

  async setModelTag(name: string, key: string, value: unknown): Promise<void> {
    validateModelName(name);
    const [k, v] = validateTag(key, value);
    await this.#update(name, docs.setModelTag(name, k, v));
  }

  async updateDescription(name: string, description: string, version?: number | string) {
    validateModelName(name);
    if (typeof description !== 'string')
      throw new TroveError('INVALID_ARGUMENT', 'A description is a string.');
    const n = version === undefined ? undefined : validateVersion(version);
    await this.#update(name, docs.setDescription(name, description, n));
  }

  /** Removes a version and the aliases that pointed at it; its number is not reused. */
  async deleteVersion(name: string, version: number | string): Promise<void> {
    validateModelName(name);
    await this.#update(name, docs.deleteVersion(name, validateVersion(version)));
  }

  /** A model's stored document as it is (for a sync), or undefined when not registered. */
  async readDocument(name: string): Promise<RegistryDoc | undefined> {
    return this.#read(validateModelName(name));
  }

  /**
   * Merges `source`, the same model's document on the store `sourceStore`, into this store's
   * (`merge-doc.ts`). Resolves to whether the document changed; a merge that adds nothing writes
   * nothing.
   */
  async mergeDocument(source: RegistryDoc, sourceStore: string): Promise<boolean> {
    const name = validateModelName(source.name);
    let changed = false;
    await this.#update(name, (doc) => {
      const next = mergeRegistryDoc(doc, source, sourceStore);
      changed = JSON.stringify(next) !== JSON.stringify(doc);
      return next;
    });
    return changed;
  }

  #key(name: string): string {
    return joinKey(this.#store.metaPrefix, 'registry', `${name}.json`);
  }

  async *#names(): AsyncIterable<string> {
    const prefix = joinKey(this.#store.metaPrefix, 'registry/');
    for await (const entry of this.#store.meta.list(prefix)) {
      const rest = entry.key.slice(prefix.length);
      if (!rest.includes('/') && rest.endsWith('.json')) yield rest.slice(0, -'.json'.length);
    }
  }

  async #read(name: string): Promise<RegistryDoc | undefined> {
    return (await readDoc(this.#store, this.#key(name), REGISTRY_DOC))?.doc;
  }

  /** Applies `update` exactly once (`record/cas-doc.ts`), found after a lost answer by `id`. */
  #update(name: string, update: DocUpdate, id?: string): Promise<RegistryDoc> {
    return updateDoc(this.#store, this.#key(name), REGISTRY_DOC, update, id);
  }
}

const REGISTRY_DOC = { check: docs.checkDoc, hasChange: docs.hasChange };

function checkTags(tags: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (tags === undefined) return out;
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    throw new TroveError('INVALID_ARGUMENT', 'tags must be a mapping of keys to values.');
  }
  for (const [k, v] of Object.entries(tags)) {
    const [key, value] = validateTag(k, v);
    out[key] = value;
  }
  return out;
}

function toVersion(doc: RegistryDoc, v: VersionDoc): ModelVersion {
  const aliases = Object.entries(doc.aliases)
    .filter(([, n]) => n === v.version)
    .map(([a]) => a)
    .sort();
  const { changeId: _, ...version } = structuredClone(v);
  return { name: doc.name, ...version, aliases };
}

function toModel(doc: RegistryDoc): RegisteredModel {
  const last = doc.versions.at(-1);
  return {
    name: doc.name,
    creationTimestamp: doc.creationTimestamp,
    lastUpdatedTimestamp: doc.lastUpdatedTimestamp,
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    tags: { ...doc.tags },
    aliases: { ...doc.aliases },
    ...(last ? { latestVersion: last.version } : {}),
    versionCount: doc.versions.length,
  };
}
