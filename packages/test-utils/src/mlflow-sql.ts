/**
 * Real MLflow on its SQL store (SQLite in a temp folder), for the tests that compare trove's
 * search with MLflow's: core's filters and the MLflow dialect's `searchRuns` share one venv.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePythonVenv } from './python-venv.js';
import { tempDir } from './temp-dir.js';

/** Pinned: the SQL store needs SQLAlchemy and Alembic beside mlflow-skinny (3.18.0, as the dialect's tests). */
const PACKAGES = ['mlflow-skinny==3.18.0', 'sqlalchemy==2.1.9', 'alembic==1.20.1'];

/**
 * Runs the Python `script` with the spec's JSON file as its argument, the spec given `uri` (a new
 * SQLite store) and `artifacts` (a folder), and returns what the script printed, parsed as JSON.
 */
export async function runMlflowSqlScript<T>(script: URL, spec: object): Promise<T> {
  const python = await ensurePythonVenv(
    'mlflow-search-venv',
    PACKAGES,
    'mlflow, sqlalchemy, alembic',
  );
  const dir = tempDir();
  const file = join(dir, 'spec.json');
  writeFileSync(
    file,
    JSON.stringify({
      uri: `sqlite:///${join(dir, 'mlflow.db')}`,
      artifacts: join(dir, 'artifacts'),
      ...spec,
    }),
  );
  const out = execFileSync(python, [fileURLToPath(script), file], {
    encoding: 'utf8',
    // No usage reports from MLflow: a test sends nothing past loopback.
    env: {
      ...process.env,
      PYTHONWARNINGS: 'ignore',
      MLFLOW_DISABLE_TELEMETRY: 'true',
      DO_NOT_TRACK: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 << 20,
  });
  return JSON.parse(out) as T;
}
