import { describeUnderFaults } from '@trove/conformance';
import { azuriteConnectionString, createContainer } from '@trove/test-utils/azurite';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

/** @trove/conformance's fault scenarios on Azure: Azurite behind a fault proxy on loopback. */
const connectionString = inject('azureConnectionString');
const blobEndpoint = inject('azureBlobEndpoint');

describeUnderFaults('azure (Azurite)', {
  async setup() {
    const container = await createContainer(connectionString, 'faults');
    const upstream = new URL(blobEndpoint);
    const proxy = await startFaultProxy({ upstream: upstream.origin, seed: 18 });
    return {
      backend: newBackend(azuriteConnectionString(`${proxy.url}${upstream.pathname}`), container),
      faults: proxy,
      teardown: () => proxy.stop(),
    };
  },
});
