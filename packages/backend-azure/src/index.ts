import { type BackendFactory, defineBackend, withPathsFrom } from '@trove/core/backend';
import { AzureBackend } from './backend.js';
import { type AzureBackendOptions, OPTION_SPECS } from './options.js';

export { AzureBackend, createAzureBackend } from './backend.js';
export type { AzureBackendOptions, BlockEvent } from './options.js';

/** The options of a `type: azure` store in `trove.yaml` (core handles `type` and `prefix`). */
export type AzureStoreOptions = Omit<
  AzureBackendOptions,
  'containerClient' | 'pipelineOptions' | 'onBlock' | 'syncCopyLimit'
>;

/**
 * `type: azure` in `trove.yaml`:
 * `{ type: azure, container: ml-artifacts, account: mlstore, prefix: trove }`; for Azurite
 * `{ type: azure, container: c, endpoint: http://127.0.0.1:10000/devstoreaccount1 }` with
 * `AZURE_STORAGE_CONNECTION_STRING` set.
 */
const factory: BackendFactory<AzureStoreOptions> = defineBackend<AzureStoreOptions>({
  kind: 'azure',
  options: OPTION_SPECS,
  create: (options, context) =>
    new AzureBackend(withPathsFrom(context.root, options, ['resumeDir'])),
});

export default factory;
