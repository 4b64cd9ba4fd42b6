import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Pinned: these install on Python 3.11 here; scipy is needed by mlflow's schema inference. */
const MLFLOW_PACKAGES = [
  'mlflow-skinny==3.18.0',
  'onnx==1.23.2',
  'onnxruntime==1.32.0',
  'numpy==2.4.6',
  'pandas==3.1.1',
  'scipy==1.17.1',
  // What mlflow-skinny 3.18.0 resolves to; the YAML round-trip test reads with it.
  'PyYAML==6.0.4',
];
const VENV =
  process.env.TROVE_MLFLOW_VENV ?? join(homedir(), '.cache', 'trove-test', 'mlflow-venv');
const PYTHON = join(VENV, 'bin', 'python');

function ready(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import mlflow, onnx, onnxruntime, scipy, pandas'], {
    encoding: 'utf8',
  });
  return r.status === 0;
}

/**
 * Real MLflow in a venv of its own (never the system Python, whose packages the DVC tests rely
 * on). Created when missing; a failure to install fails the test run, under CI or not.
 */
export function ensureMlflow(): string {
  if (ready()) return PYTHON;
  const lock = `${VENV}.lock`;
  mkdirSync(join(VENV, '..'), { recursive: true });
  // One installer at a time across test files; the others wait for it.
  for (let i = 0; ; i++) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (i > 1200) throw new Error(`Timed out waiting for ${lock}.`);
      execFileSync('sleep', ['0.5']);
      if (ready()) return PYTHON;
    }
  }
  try {
    if (!ready()) {
      process.stderr.write(`[core tests] creating ${VENV} with ${MLFLOW_PACKAGES.join(' ')}\n`);
      rmSync(VENV, { recursive: true, force: true });
      const python = ['python3.11', 'python3'].find(
        (p) => spawnSync(p, ['--version']).status === 0,
      );
      if (!python) throw new Error('No python3 to create the MLflow venv with.');
      execFileSync(python, ['-m', 'venv', VENV], { stdio: 'inherit' });
      execFileSync(PYTHON, ['-m', 'pip', 'install', '--quiet', ...MLFLOW_PACKAGES], {
        stdio: 'inherit',
      });
      if (!ready()) throw new Error(`MLflow is not importable from ${VENV} after install.`);
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return PYTHON;
}

/** Runs a Python script with the MLflow venv; `args` become sys.argv[1:]. Returns stdout. */
export function python(script: string, args: string[] = [], cwd?: string): string {
  const file = join(cwd ?? tmpdir(), `.trove-test-${process.pid}-${Date.now()}.py`);
  writeFileSync(file, script);
  try {
    return execFileSync(PYTHON, [file, ...args], {
      encoding: 'utf8',
      cwd,
      env: { ...process.env, MLFLOW_ALLOW_FILE_STORE: 'true', PYTHONWARNINGS: 'ignore' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 << 20,
    });
  } finally {
    if (existsSync(file)) rmSync(file);
  }
}

/** Builds `Y = X * 2 + 1` (float32, [N, 3]) with the onnx helper. */
export const MAKE_ONNX = `
import sys, onnx
from onnx import helper, TensorProto
X = helper.make_tensor_value_info('X', TensorProto.FLOAT, [None, 3])
Y = helper.make_tensor_value_info('Y', TensorProto.FLOAT, [None, 3])
two = helper.make_tensor('two', TensorProto.FLOAT, [], [2.0])
one = helper.make_tensor('one', TensorProto.FLOAT, [], [1.0])
g = helper.make_graph([helper.make_node('Mul', ['X', 'two'], ['T']), helper.make_node('Add', ['T', 'one'], ['Y'])], 'g', [X], [Y], [two, one])
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)])
m.ir_version = 8
onnx.save(m, sys.argv[1])
`;
