/**
 * The Python tools the Live tests compare against: real dvclive, dvc, scikit-learn and numpy,
 * pinned in `requirements.txt`, in a venv at `~/.cache/trove-test/live-venv` created when
 * missing (never the system Python). Test files may race to create it: a lock folder
 * serialises them. A failed install fails the tests (CI or not): nothing is skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const VENV =
  process.env.TROVE_LIVE_VENV ?? join(homedir(), '.cache', 'trove-test', 'live-venv');
export const PYTHON = join(VENV, 'bin', 'python');
const REQUIREMENTS = new URL('./requirements.txt', import.meta.url);
const MARKER = join(VENV, '.trove-requirements');

function ready(): boolean {
  return (
    existsSync(MARKER) &&
    readFileSync(MARKER, 'utf8') === readFileSync(REQUIREMENTS, 'utf8') &&
    existsSync(PYTHON)
  );
}

async function lock(dir: string): Promise<() => void> {
  for (;;) {
    try {
      mkdirSync(dir);
      return () => rmSync(dir, { recursive: true, force: true });
    } catch {
      // A lock older than 15 minutes was left by a killed run.
      const st = statSync(dir, { throwIfNoEntry: false });
      if (st && Date.now() - st.mtimeMs > 900_000) {
        rmSync(dir, { recursive: true, force: true });
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Creates the venv when missing or when the pins changed. */
export async function ensureVenv(): Promise<void> {
  if (ready()) return;
  mkdirSync(join(VENV, '..'), { recursive: true });
  const unlock = await lock(`${VENV}.lock`);
  try {
    if (ready()) return;
    const python = process.env.TROVE_PYTHON ?? 'python3.11';
    if (!existsSync(PYTHON)) execFileSync(python, ['-m', 'venv', VENV], { stdio: 'inherit' });
    execFileSync(PYTHON, ['-m', 'pip', 'install', '-q', '-r', new URL(REQUIREMENTS).pathname], {
      stdio: 'inherit',
      timeout: 900_000,
    });
    writeFileSync(MARKER, readFileSync(REQUIREMENTS, 'utf8'));
  } finally {
    unlock();
  }
}
