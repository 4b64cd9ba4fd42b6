import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bytesSent,
  describeResumeAfterKill,
  itDvcPulls,
  runUpload,
  storedMd5,
  writeTestFile,
} from '@trove/conformance';
import { createGcsBucket, startGcpEmulator, venvBin } from '@trove/test-utils/gcs';
import { describe, expect, inject, it } from 'vitest';
import { GcsBackend } from '../src/index.js';
import { childEnv, MIB, newBackend, uploadJob } from './helpers.js';

/** @trove/conformance's shared scenarios on GCS. */
const endpoint = inject('gcsEndpoint');

// Resume runs on gcp-storage-emulator: fake-gcs-server 1.56.1 finalises a session when asked
// where it stands (its issue #2354), which is exactly what resuming asks.
describeResumeAfterKill('gcs (gcp-storage-emulator)', {
  size: 24 * MIB,
  pieceSize: MIB,
  // Both emulators answer the cancel (DELETE of the session URI; fake-gcs-server with GCS's 499)
  // and keep taking chunks afterwards: only the journal's removal can be checked on them.
  emulatorKeepsDiscarded: 'the emulator keeps a cancelled session open',
  async setup() {
    const bucket = 'resume';
    const emulator = await startGcpEmulator(bucket);
    const { module, className, event, options } = uploadJob(emulator.url, {
      bucket,
      key: '',
      path: '',
      options: { chunkSize: MIB },
    });
    /** Session URIs seen in journals, by key: they outlive the journals cleanup removes. */
    const sessions = new Map<string, string>();
    return {
      job: { module, className, event, options },
      create: (resumeDir) =>
        new GcsBackend({ bucket, apiEndpoint: emulator.url, projectId: 'test', resumeDir }),
      // GCS lists no sessions: the journal names it, and a status query tells whether it is
      // open (308); gcp-storage-emulator answers that query as GCS does.
      async leftovers(key, resumeDir) {
        for (const name of readdirSync(resumeDir).filter((n) => n.endsWith('.json'))) {
          const entry = JSON.parse(readFileSync(join(resumeDir, name), 'utf8'));
          if (entry.identity.key === key) sessions.set(key, entry.state.uri);
        }
        const uri = sessions.get(key);
        if (!uri) return [];
        const status = await fetch(uri, {
          method: 'PUT',
          headers: { 'content-range': 'bytes */*', 'content-length': '0', connection: 'close' },
        });
        await status.body?.cancel();
        return status.status === 308 ? [uri] : [];
      },
      env: childEnv(),
      // Read with `Connection: close`: gcp-storage-emulator serves one connection at a time, so
      // an idle keep-alive connection of this process would stall the children.
      async stored(key) {
        const url = `${emulator.url}/storage/v1/b/${bucket}/o/${encodeURIComponent(key)}?alt=media`;
        const response = await fetch(url, { headers: { connection: 'close' } });
        if (response.status === 404) return undefined;
        const bytes = Buffer.from(await response.arrayBuffer());
        return createHash('md5').update(bytes).digest('hex');
      },
      teardown: () => emulator.stop(),
    };
  },
});

// Issue 18: on fake-gcs-server every re-run after a kill failed CORRUPT, blaming the file. Its
// status query (`Content-Range: bytes */N`) finalises the session with the chunks the killed
// process sent (upload.go: no known range means commit), so the resumed upload found a published
// object of exactly those chunks: md5 of the first 3 MiB of an 8 MiB file, 0 chunks sent.
describe('gcs (fake-gcs-server, whose status query finalises a session: its issue #2354)', () => {
  it('a re-run after kill -9 finds the truncated object, deletes it, and starts over once: the file is stored, never CORRUPT', async () => {
    const bucket = await createGcsBucket(endpoint, 'rerun');
    const dir = mkdtempSync(join(tmpdir(), 'trove-gcs-rerun-'));
    const path = join(dir, 'model.bin');
    const size = 8 * MIB;
    const md5 = await writeTestFile(path, size, 5);
    const resumeDir = join(dir, 'journals');
    const key = 'rerun/model.bin';
    const job = uploadJob(endpoint, { bucket, key, path, options: { chunkSize: MIB, resumeDir } });
    const first = runUpload({ ...job, killAfterSent: 3 }, childEnv());
    expect((await first.result).signal).toBe('SIGKILL');
    expect(readdirSync(resumeDir).filter((n) => n.endsWith('.json'))).toHaveLength(1);

    const second = runUpload({ ...job, writeOptions: { md5, ifNoneMatch: '*' } }, childEnv());
    const done = await second.result;
    expect(done.code, `${done.stderr}${JSON.stringify(done.last)}`).toBe(0);
    expect(done.last?.stat).toMatchObject({ size, md5 });
    // Started over: every byte sent again in a new session, none taken from the old one.
    expect(second.pieces.filter((p) => p.reused)).toEqual([]);
    expect(bytesSent(second.pieces)).toBe(size);
    expect(readdirSync(resumeDir)).toEqual([]);
    expect(await storedMd5(newBackend(endpoint, bucket), key)).toBe(md5);
  });
});

describe('dvc-gs reads what trove stored on GCS (fake-gcs-server)', () => {
  itDvcPulls('gcs (fake-gcs-server)', {
    dvc: () => venvBin('dvc'),
    // gcsfs probes a gRPC API per bucket unless this is false (60 s stalls against an emulator);
    // the remote's endpointurl says where the server is.
    env: () => childEnv({ GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT: 'false' }),
    // Larger than one chunk: stored through a resumable session.
    modelSize: 3 * MIB,
    async create() {
      const bucket = await createGcsBucket(endpoint, 'interop');
      return {
        backend: newBackend(endpoint, bucket, { chunkSize: MIB }),
        remote: `gs://${bucket}`,
        configure: [
          ['remote', 'modify', 'trove', 'endpointurl', endpoint],
          ['remote', 'modify', 'trove', 'allow_anonymous_login', 'true'],
        ],
      };
    },
  });
});
