import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// dvc and dvc-azure for the interop test, in a venv of this package's own (the system dvc is the
// CLI tests', and other packages install conflicting plugins). Versions that work with Azurite:
// see /shared/reference/emulators.md.

const VENV = join(homedir(), '.cache', 'trove-test', 'azure-venv');
const DVC_PACKAGES = ['dvc==3.67.1', 'dvc-azure==3.1.1'];
const DVC = join(VENV, 'bin', 'dvc');

function works(): boolean {
  if (!existsSync(DVC)) return false;
  const r = spawnSync(join(VENV, 'bin', 'python'), ['-c', 'import dvc_azure'], {
    encoding: 'utf8',
  });
  return r.status === 0;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-3000);
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')}: ${code}\n${tail}`)),
    );
  });
}

/** Creates the venv with dvc and dvc-azure when it is missing; throws when that fails. */
export async function ensureDvcVenv(): Promise<string> {
  if (works()) return DVC;
  process.stderr.write(`[backend-azure] installing ${DVC_PACKAGES.join(' ')} into ${VENV}\n`);
  if (!existsSync(join(VENV, 'bin', 'python'))) await run('python3', ['-m', 'venv', VENV]);
  await run(join(VENV, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', ...DVC_PACKAGES]);
  if (!works()) throw new Error(`dvc-azure is not importable in ${VENV} after installing it`);
  return DVC;
}
