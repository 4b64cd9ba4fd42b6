import { describeServerSideSync } from '@trove/conformance';
import { azuriteConnectionString, createContainer } from '@trove/test-utils/azurite';
import { startFaultProxy } from '@trove/test-utils/fault-proxy';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

/** @trove/conformance's server-side copy scenario on Azure: two containers of Azurite behind one proxy. */
const connectionString = inject('azureConnectionString');
const blobEndpoint = inject('azureBlobEndpoint');

describeServerSideSync('azure (Azurite)', {
  async setup() {
    const a = await createContainer(connectionString, 'copy-a');
    const b = await createContainer(connectionString, 'copy-b');
    const upstream = new URL(blobEndpoint);
    const proxy = await startFaultProxy({ upstream: upstream.origin, seed: 21 });
    const proxied = azuriteConnectionString(`${proxy.url}${upstream.pathname}`);
    return {
      source: newBackend(proxied, a),
      target: newBackend(proxied, b),
      elsewhere: newBackend(connectionString, a),
      bodyBytes: () => proxy.counts().requestBodyBytes + proxy.counts().answerBodyBytes,
      teardown: () => proxy.stop(),
    };
  },
});
