import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

// Python tools for interop tests (dvc with one plugin, Delta readers, MLflow), each in a venv of its own under the
// user's cache: plugins conflict with each other, and the system's pip may not be usable.

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

/**
 * The Python of the venv `name` (under the user's cache) with `packages` installed (exact pins,
 * e.g. `mlflow-skinny==3.18.0`) and `module` importable, creating or completing the venv when it
 * is not; throws when that fails.
 */
export async function ensurePythonVenv(
  name: string,
  packages: readonly string[],
  module: string,
): Promise<string> {
  const venv = join(homedir(), '.cache', 'trove-test', name);
  const python = join(venv, 'bin', 'python');
  const works = () =>
    existsSync(python) && spawnSync(python, ['-c', `import ${module}`]).status === 0;
  if (works()) return python;
  process.stderr.write(`[test-utils] installing ${packages.join(' ')} into ${venv}\n`);
  if (!existsSync(python)) await run('python3', ['-m', 'venv', venv]);
  await run(python, ['-m', 'pip', 'install', '--quiet', ...packages]);
  if (!works()) throw new Error(`${module} is not importable in ${venv} after installing it`);
  return python;
}

/**
 * `dvc` from the venv `name` with `packages` (e.g. `dvc==3.67.1`, `dvc-azure==3.1.1`) and
 * `module` importable, creating or completing the venv when it is not; throws when that fails.
 */
export async function ensureDvcVenv(
  name: string,
  packages: readonly string[],
  module: string,
): Promise<string> {
  const python = await ensurePythonVenv(name, packages, module);
  const dvc = join(dirname(python), 'dvc');
  if (!existsSync(dvc)) throw new Error(`${dvc} is missing after installing ${packages.join(' ')}`);
  return dvc;
}
