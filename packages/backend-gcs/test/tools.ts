import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Where the GCS tests find their tools, installing what is missing: fake-gcs-server with
// `go install` (about 70 s cold), gcp-storage-emulator and dvc + dvc-gs in a venv of this
// package's own (never the system Python: other packages' tests rely on its dvc).

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
    `[backend-gcs] installing fake-gcs-server ${FAKE_GCS_VERSION} (go install, ~70 s)\n`,
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
  process.stderr.write(`[backend-gcs] installing ${PY_PACKAGES.join(' ')} into ${VENV}\n`);
  if (!existsSync(join(VENV, 'bin', 'pip')))
    run('python3', ['-m', 'venv', VENV], 'python3 -m venv');
  run(join(VENV, 'bin', 'pip'), ['install', '--quiet', ...PY_PACKAGES], 'pip install');
  if (!existsSync(bin)) throw new Error(`pip install did not provide ${bin}`);
  return bin;
}
