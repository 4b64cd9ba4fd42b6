import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from './emulator.js';

// The GCS servers of the tests and their tools, installing what is missing: fake-gcs-server
// with `go install` (about 70 s cold), gcp-storage-emulator and dvc + dvc-gs in a venv of
// their own (never the system Python: other packages' tests rely on its dvc).

const FAKE_GCS_VERSION = 'v1.56.1';
const PY_PACKAGES = ['gcp-storage-emulator==2026.7.19', 'dvc==3.67.1', 'dvc-gs==3.1.0'] as const;
const VENV = join(homedir(), '.cache', 'trove-test', 'gcs-venv');

function run(command: string, args: string[], what: string): string {
  const out = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (out.error || out.status !== 0) {
    throw new Error(
      `${what} failed (${out.error?.message ?? `exit ${out.status}`}): ${out.stderr?.slice(-2000)}`,
    );
  }
  return out.stdout.trim();
}

/** The fake-gcs-server binary, built with `go install` when it is not there yet. */
export function fakeGcsBinary(): string {
  const gopath = run('go', ['env', 'GOPATH'], '`go env GOPATH` (Go is needed for fake-gcs-server)');
  const binary = join(gopath.split(':')[0] as string, 'bin', 'fake-gcs-server');
  if (existsSync(binary)) return binary;
  process.stderr.write(
    `[test-utils] installing fake-gcs-server ${FAKE_GCS_VERSION} (go install, ~70 s)\n`,
  );
  run(
    'go',
    ['install', `github.com/fsouza/fake-gcs-server@${FAKE_GCS_VERSION}`],
    'go install fake-gcs-server',
  );
  if (!existsSync(binary)) throw new Error(`go install did not produce ${binary}`);
  return binary;
}

/** A program of the venv (`gcp-storage-emulator`, `dvc`), creating the venv when missing. */
export function venvBin(name: 'gcp-storage-emulator' | 'dvc'): string {
  const bin = join(VENV, 'bin', name);
  if (existsSync(bin)) return bin;
  process.stderr.write(`[test-utils] installing ${PY_PACKAGES.join(' ')} into ${VENV}\n`);
  if (!existsSync(join(VENV, 'bin', 'pip')))
    run('python3', ['-m', 'venv', VENV], 'python3 -m venv');
  run(join(VENV, 'bin', 'pip'), ['install', '--quiet', ...PY_PACKAGES], 'pip install');
  if (!existsSync(bin)) throw new Error(`pip install did not provide ${bin}`);
  return bin;
}

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
