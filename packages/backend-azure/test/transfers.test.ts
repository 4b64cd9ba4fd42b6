import { describeTransfers } from '@trove/conformance';
import { azuriteConnectionString, createContainer } from '@trove/test-utils/azurite';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

/** @trove/conformance's transfer scenarios (server-side copies, ranged downloads) on Azure: two containers of Azurite. */
const connectionString = inject('azureConnectionString');
const blobEndpoint = new URL(inject('azureBlobEndpoint'));

describeTransfers('azure (Azurite)', {
  setup: async () => ({
    containers: [
      await createContainer(connectionString, 'copy-a'),
      await createContainer(connectionString, 'copy-b'),
    ],
    direct: blobEndpoint.origin,
    proxy: await startFaultProxy({ upstream: blobEndpoint.origin, seed: 21 }),
    backend: (at, container) =>
      newBackend(azuriteConnectionString(`${at}${blobEndpoint.pathname}`), container),
  }),
});
