import { startEmulator } from '@trove/test-utils';
import { venvBin } from './tools.js';

// gcp-storage-emulator (PyPI, 2026.7.19): the one emulator that answers a resumable session's
// status query (`Content-Range: bytes */N`) as GCS does and checks where a chunk starts, so
// resume is tested on it. It ignores all preconditions and serves one request at a time:
// nothing else runs on it.

export interface GcpEmulator {
  url: string;
  stop(): Promise<void>;
}

/** Starts gcp-storage-emulator in memory on a free loopback port, with `bucket` created. */
export async function startGcpEmulator(bucket: string): Promise<GcpEmulator> {
  const binary = venvBin('gcp-storage-emulator');
  const emulator = await startEmulator({
    name: 'gcp-storage-emulator',
    command: (port) => [
      binary,
      'start',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--in-memory',
      '--default-bucket',
      bucket,
    ],
    ready: async (url) => (await fetch(`${url}/storage/v1/b/${bucket}`)).ok,
  });
  return { url: emulator.url, stop: () => emulator.stop() };
}
