import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStore } from '@trove/core';
import { distUrl, runExitScript } from '@trove/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import * as mlflow from '../src/index.js';
import { memoryStore, tempDir } from './helpers.js';
import { ensureMlflow, python } from './mlflow-python.js';

beforeAll(() => {
  ensureMlflow();
}, 900_000);

const MLFLOW = distUrl(resolve(import.meta.dirname, '../..'), 'mlflow');

function project(): string {
  const cwd = tempDir('mlflow-life-');
  mkdirSync(join(cwd, '.trove'));
  return cwd;
}

/** Real MLflow: the status a `with start_run(): raise` leaves, and whether a run is still active. */
const MLFLOW_WITH_RAISE = `
import sys, json, mlflow
mlflow.set_tracking_uri('file:' + sys.argv[1] + '/mlruns')
run_id = None
try:
    with mlflow.start_run() as r:
        run_id = r.info.run_id
        mlflow.log_param('lr', 0.1)
        raise ValueError('boom')
except ValueError:
    pass
print(json.dumps({'status': mlflow.get_run(run_id).info.status, 'active': mlflow.active_run() is not None}))
`;

async function statusOf(cwd: string, runId: string): Promise<string> {
  const store = await openStore({ cwd });
  try {
    const [run] = await mlflow.searchRuns({
      store,
      searchAllExperiments: true,
      filterString: `attributes.run_id = '${runId}'`,
    });
    return run?.info.status ?? 'missing';
  } finally {
    await store.close();
  }
}

describe('MLflow run lifecycle', () => {
  it('startRun(options, fn): a body that throws records FAILED, re-throws, and leaves no active run (as `with start_run(): raise`)', async () => {
    const real = JSON.parse(python(MLFLOW_WITH_RAISE, [tempDir('mlflow-real-')])) as {
      status: string;
      active: boolean;
    };
    expect(real).toEqual({ status: 'FAILED', active: false });

    const store = memoryStore();
    const cwd = project();
    let id = '';
    const boom = new Error('boom');
    await expect(
      mlflow.startRun({ store, cwd }, async (run) => {
        id = run.id;
        mlflow.logParam('lr', 0.1);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(mlflow.activeRun()).toBeUndefined();
    const [view] = await mlflow.searchRuns({ store, searchAllExperiments: true });
    expect(view?.info).toMatchObject({ run_id: id, status: real.status });
    expect(view?.data.params).toEqual({ lr: '0.1' });
  });

  it('withRun returns what the body returns and records FINISHED', async () => {
    const store = memoryStore();
    const result = await mlflow.withRun({ store, cwd: project() }, async (run) => run.id);
    expect(mlflow.activeRun()).toBeUndefined();
    const [view] = await mlflow.searchRuns({ store, searchAllExperiments: true });
    expect(view?.info).toMatchObject({ run_id: result, status: 'FINISHED' });
  });

  it('await using always clears the active run: the next startRun works', async () => {
    const store = memoryStore();
    const cwd = project();
    await expect(
      (async () => {
        await using run = await mlflow.startRun({ store, cwd });
        expect(mlflow.activeRun()).toBe(run);
        throw new Error('inside');
      })(),
    ).rejects.toThrow('inside');
    expect(mlflow.activeRun()).toBeUndefined();
    const next = await mlflow.startRun({ store, cwd });
    expect(mlflow.activeRun()).toBe(next);
    await mlflow.endRun('KILLED');
    expect(mlflow.activeRun()).toBeUndefined();
    const statuses = (await mlflow.searchRuns({ store, searchAllExperiments: true })).map(
      (r) => r.info.status,
    );
    // Newest first: endRun('KILLED') is KILLED; the disposer cannot see the error: FINISHED.
    expect(statuses).toEqual(['KILLED', 'FINISHED']);
  });

  it('endRun refuses a status MLflow does not have', async () => {
    const run = await mlflow.startRun({ store: memoryStore(), cwd: project() });
    await expect(mlflow.endRun('DONE' as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(mlflow.activeRun()).toBe(run);
    await mlflow.endRun();
  });

  it('SIGTERM during a run records it KILLED, and the process ends by the signal', async () => {
    const cwd = project();
    const out = await runExitScript(
      cwd,
      `import * as mlflow from '${MLFLOW}';
const run = await mlflow.startRun();
mlflow.logMetric('loss', 0.25);
console.log('ready ' + run.id);
setInterval(() => {}, 1000);
`,
      { signal: 'SIGTERM' },
    );
    expect(out.signal).toBe('SIGTERM');
    expect(await statusOf(cwd, out.id)).toBe('KILLED');
  });

  it('an uncaught exception records the open run FAILED; a script that just ends records FINISHED', async () => {
    const cwd = project();
    const failed = await runExitScript(
      cwd,
      `import * as mlflow from '${MLFLOW}';
const run = await mlflow.startRun();
console.log('ready ' + run.id);
setTimeout(() => { throw new Error('training blew up'); }, 1);
`,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('training blew up');
    expect(await statusOf(cwd, failed.id)).toBe('FAILED');
    const finished = await runExitScript(
      cwd,
      `import * as mlflow from '${MLFLOW}';
const run = await mlflow.startRun();
mlflow.logParam('a', 1);
console.log('ready ' + run.id);
`,
    );
    expect(finished.code).toBe(0);
    expect(await statusOf(cwd, finished.id)).toBe('FINISHED');
  });
});
