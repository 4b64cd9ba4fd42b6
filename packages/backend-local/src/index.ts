import { resolve } from 'node:path';
import { type BackendFactory, defineBackend } from '@trove/core/backend';
import { LocalBackend } from './local-backend.js';
import { checkStoreFolder } from './store-folder.js';

export { createLocalBackend, LocalBackend, type LocalBackendOptions } from './local-backend.js';

/** Options of a `type: local` store in `trove.yaml`. */
export interface LocalStoreOptions {
  /** The store folder, relative to the project root. */
  path: string;
  fsync?: boolean;
}

/** `type: local` in `trove.yaml`: `{ type: local, path: .trove }`. */
const factory: BackendFactory<LocalStoreOptions> = defineBackend<LocalStoreOptions>({
  kind: 'local',
  options: {
    path: {
      type: 'string',
      required: true,
      description:
        'Folder that holds the store; a relative path is resolved against the project root.',
    },
    fsync: {
      type: 'boolean',
      description:
        'fsync every object before it is committed (slower; survives power loss). Default false.',
    },
  },
  create(options, context) {
    const root = resolve(context.root, options.path);
    checkStoreFolder(root, 'INVALID_CONFIG', "The store's path");
    return new LocalBackend({
      root,
      fsync: options.fsync ?? false,
    });
  },
});

export default factory;
