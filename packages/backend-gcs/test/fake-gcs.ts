import { startEmulator } from '@trove/test-utils';
import { fakeGcsBinary } from './tools.js';

// fake-gcs-server (https://github.com/fsouza/fake-gcs-server) v1.56.1 as the GCS of the tests:
// atomic create-only uploads, md5 checks on one-request uploads, pagination, rewrite, signed
// URLs. Its gaps (measured, see docs): a resumable status query finalises the session;
// multi-chunk uploads forget the declared md5; preconditions on delete/copy are ignored;
// signed URLs are not verified.

export interface FakeGcs {
  /** `http://127.0.0.1:<port>`: the `apiEndpoint`. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts fake-gcs-server on a free loopback port (`-public-host` set, or signed URLs 404),
 * keeping objects in memory, or on disk under `root` (large bodies).
 */
export async function startFakeGcs(options: { root?: string } = {}): Promise<FakeGcs> {
  const binary = fakeGcsBinary();
  const emulator = await startEmulator({
    name: 'fake-gcs-server',
    command: (port) => [
      binary,
      '-scheme',
      'http',
      '-host',
      '127.0.0.1',
      '-port',
      String(port),
      '-public-host',
      `127.0.0.1:${port}`,
      '-log-level',
      'error',
      ...(options.root
        ? ['-backend', 'filesystem', '-filesystem-root', options.root]
        : ['-backend', 'memory']),
    ],
    ready: async (url) => (await fetch(`${url}/storage/v1/b?project=test`)).ok,
  });
  return { url: emulator.url, stop: () => emulator.stop() };
}

/** Creates a bucket named `<label>-<10 hex>` through the JSON API; returns its name. */
export async function createGcsBucket(url: string, label: string): Promise<string> {
  const name = `${label}-${Math.random().toString(16).slice(2, 12).padEnd(10, '0')}`;
  const response = await fetch(`${url}/storage/v1/b?project=test`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!response.ok)
    throw new Error(`creating bucket ${name}: HTTP ${response.status} ${await response.text()}`);
  return name;
}
