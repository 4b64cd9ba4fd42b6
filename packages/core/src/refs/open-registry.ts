import { GcFence } from '../record/gc-log.js';
import { fireHooks } from '../record/hooks.js';
import type { Store } from '../record/store.js';
import { validateModelName } from '../registry/model-names.js';
import { ModelRegistry, type ModelVersion } from '../registry/model-registry.js';
import { MODELS_SCHEME } from '../registry/model-uri.js';
import type { VersionContent } from '../registry/registry-doc.js';
import { ensureStored } from '../store/ensure-stored.js';
import { type ResolvedArtifact, resolveArtifactRef } from './resolve-ref.js';

/** The registry of a store, resolving the URIs it registers as `resolveArtifactRef` does. */
export function openRegistry(store: Store): ModelRegistry {
  return new StoreRegistry(store);
}

/**
 * A registration refers to content it found in the store, which may be an old orphan a gc is
 * removing: like every writer, it checks what it referred to when a gc ran meanwhile
 * (`record/gc.ts`), copying it back from gc's quarantine, or fails (`NOT_FOUND`).
 */
class StoreRegistry extends ModelRegistry {
  readonly #store: Store;

  constructor(store: Store) {
    super(store, async (uri) => contentOf(uri, await resolveArtifactRef(store, uri)));
    this.#store = store;
  }

  /** A new version, then the `register` hooks. */
  override async createVersion(
    name: string,
    content: VersionContent,
    options: { description?: string; tags?: Record<string, unknown> } = {},
  ): Promise<ModelVersion> {
    const version = await super.createVersion(name, content, options);
    await fireHooks(this.#store, 'register', {
      name,
      version: version.version,
      source: version.source,
      md5: version.md5,
      runId: version.runId,
    });
    return version;
  }

  /** The alias moved, then the `alias` hooks. */
  override async setAlias(name: string, alias: string, version: number | string): Promise<void> {
    await super.setAlias(name, alias, version);
    // The version's content is read for the hooks only: no read more without one.
    if (!this.#store.config.on?.alias) return;
    const v = await this.getVersionByAlias(name, alias);
    await fireHooks(this.#store, 'alias', {
      kind: 'model',
      action: 'set',
      name,
      alias,
      version: v.version,
      md5: v.md5,
      runId: v.runId,
    });
  }

  override async deleteAlias(name: string, alias: string): Promise<void> {
    await super.deleteAlias(name, alias);
    await fireHooks(this.#store, 'alias', { kind: 'model', action: 'remove', name, alias });
  }

  override async registerModel(
    uri: string,
    name: string,
    options: { description?: string; tags?: Record<string, unknown> } = {},
  ): Promise<ModelVersion> {
    validateModelName(name);
    const fence = await GcFence.open(this.#store);
    const found = await resolveArtifactRef(this.#store, uri);
    const version = await this.createVersion(name, contentOf(uri, found), options);
    // A reference-only artifact (not cached) has no object to check.
    if (found.record?.cached !== false && (await fence.crossed()))
      await ensureStored(this.#store.objects, found.md5);
    return version;
  }
}

function contentOf(uri: string, found: ResolvedArtifact): VersionContent {
  const runsUri = found.runId && found.record ? `runs:/${found.runId}/${found.record.path}` : uri;
  const modelId = found.record?.meta?.modelId;
  return {
    source: uri.startsWith(MODELS_SCHEME) ? uri : runsUri,
    md5: found.md5,
    isdir: found.isdir,
    ...(found.size !== undefined ? { size: found.size } : {}),
    ...(found.nfiles !== undefined ? { nfiles: found.nfiles } : {}),
    ...(found.runId ? { runId: found.runId } : {}),
    ...(typeof modelId === 'string' ? { modelId } : {}),
  };
}
