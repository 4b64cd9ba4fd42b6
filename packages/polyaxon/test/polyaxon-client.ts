/**
 * Polyaxon's real tracking client for the side-by-side tests: a venv of its own at
 * `~/.cache/trove-test/polyaxon-venv`, created when missing (never the system Python, which the
 * CLI tests use for DVC). If it cannot be installed the tests fail; they never skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const POLYAXON_VERSION = '2.18.0';
/** traceml's events reader (`V1Events.read`) needs pandas, which the client does not install. */
const PANDAS_VERSION = '2.2.3';

const VENV = join(homedir(), '.cache', 'trove-test', 'polyaxon-venv');
const PYTHON = join(VENV, 'bin', 'python');
const DRIVER = new URL('./fixtures/polyaxon/driver.py', import.meta.url).pathname;

function installed(): boolean {
  if (!existsSync(PYTHON)) return false;
  const probe = spawnSync(
    PYTHON,
    ['-c', 'import polyaxon, pandas, traceml; from polyaxon.pkg import VERSION; print(VERSION)'],
    { encoding: 'utf8' },
  );
  return probe.status === 0 && probe.stdout.trim() === POLYAXON_VERSION;
}

/** The venv's python, installing the client first when it is missing. */
export function ensurePolyaxonClient(): string {
  if (installed()) return PYTHON;
  process.stderr.write(`[polyaxon tests] installing polyaxon==${POLYAXON_VERSION} into ${VENV}\n`);
  const base = ['python3.11', 'python3'].find(
    (p) => spawnSync(p, ['--version'], { encoding: 'utf8' }).status === 0,
  );
  if (!base) throw new Error('No python3 to create the Polyaxon venv with.');
  if (!existsSync(PYTHON)) {
    const venv = spawnSync(base, ['-m', 'venv', VENV], { stdio: 'inherit' });
    if (venv.status !== 0) throw new Error(`Could not create ${VENV}.`);
  }
  const pip = spawnSync(
    PYTHON,
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      `polyaxon==${POLYAXON_VERSION}`,
      `pandas==${PANDAS_VERSION}`,
    ],
    { stdio: 'inherit' },
  );
  if (pip.status !== 0 || !installed()) {
    throw new Error(`Could not install polyaxon==${POLYAXON_VERSION} into ${VENV}.`);
  }
  return PYTHON;
}

/** A call as the client spells it: `["log_artifact", { path, kind, step, rel_path }]`. */
export type ClientCall = [fn: string, kwargs: Record<string, unknown>];

export interface ClientJob {
  runs?: Array<{ cwd: string; artifacts_path: string; calls: ClientCall[]; name?: string }>;
  /** Run folders whose events files traceml's `V1Events.read` parses (after the runs). */
  read_dirs?: string[];
}

export interface ReadEvents {
  columns: string[];
  values: Record<string, unknown[]>;
}

/** Runs the client's sequences, then reads the events files with traceml's reader. */
export function runClient(
  python: string,
  job: ClientJob,
  scratch: string,
): { read: Record<string, Record<string, ReadEvents>> } {
  const input = join(scratch, 'job.json');
  writeFileSync(input, JSON.stringify(job));
  const out = spawnSync(python, [DRIVER, input], {
    encoding: 'utf8',
    env: { ...process.env, POLYAXON_NO_OP: 'false', POLYAXON_IS_OFFLINE: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.status !== 0) throw new Error(`Polyaxon client failed:\n${out.stderr}`);
  const last = out.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as { read: Record<string, Record<string, ReadEvents>> };
}
