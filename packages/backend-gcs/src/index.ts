import { type BackendFactory, defineBackend, withPathsFrom } from '@trove/core/backend';
import { GcsBackend } from './backend.js';
import { type GcsBackendOptions, OPTION_SPECS } from './options.js';

export { createGcsBackend, GcsBackend } from './backend.js';
export type { ChunkEvent, GcsBackendOptions } from './options.js';

/** The options of a `type: gcs` store in `trove.yaml` (core handles `type` and `prefix`). */
export type GcsStoreOptions = Omit<GcsBackendOptions, 'storage' | 'credentials' | 'onChunk'>;

/**
 * `type: gcs` in `trove.yaml`: `{ type: gcs, bucket: ml-artifacts, prefix: trove }`, or against
 * fake-gcs-server `{ type: gcs, bucket: b, apiEndpoint: http://127.0.0.1:4443, projectId: test }`.
 * `keyFilename` and `resumeDir` are relative to the project root.
 */
const factory: BackendFactory<GcsStoreOptions> = defineBackend<GcsStoreOptions>({
  kind: 'gcs',
  options: OPTION_SPECS,
  create: (options, context) =>
    new GcsBackend(withPathsFrom(context.root, options, ['resumeDir', 'keyFilename'])),
});

export default factory;
