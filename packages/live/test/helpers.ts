import { Store } from '@trove/core';
import { MemoryBackend } from '@trove/core/backend';

export { snapshotTree, storeKeys, tempDir, vectors } from '@trove/test-utils';

/** A store in memory: nothing a test writes touches the disk. */
export const memoryStore = (): Store => new Store({ name: 'mem', meta: new MemoryBackend() });
