import type { Store } from '../record/store.js';
import { ModelRegistry } from '../registry/model-registry.js';
import { MODELS_SCHEME } from '../registry/model-uri.js';
import { resolveArtifactRef } from './resolve-ref.js';

/** The registry of a store, resolving the URIs it registers as `resolveArtifactRef` does. */
export function openRegistry(store: Store): ModelRegistry {
  return new ModelRegistry(store, async (uri) => {
    const found = await resolveArtifactRef(store, uri);
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
  });
}
