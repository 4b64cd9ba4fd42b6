import { resolve } from 'node:path';
import { openStore } from '@trove/core';
import { distUrl, runExitScript, troveProject } from '@trove/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import * as mlflow from '../src/index.js';
import { memoryStore, tempDir } from './helpers.js';
import { ensureMlflow, python } from './mlflow-python.js';

beforeAll(() => {
  ensureMlflow();
}, 900_000);

const MLFLOW = distUrl(resolve(import.meta.dirname, '../..'), 'mlflow');

const project = () => troveProject('mlflow-life-');

/** A script with an active run: `log` is logged before it says it is ready, `then` comes after. */
function script(log: string, then = ''): string {
  return `import * as mlflow from '${MLFLOW}';
const run = await mlflow.startRun();
${log}
console.log('ready ' + run.id);
${then}
`;
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
      script("mlflow.logMetric('loss', 0.25);", 'setInterval(() => {}, 1000);'),
      { signal: 'SIGTERM' },
    );
    expect(out.signal).toBe('SIGTERM');
    expect(await statusOf(cwd, out.id)).toBe('KILLED');
  });

  it('an uncaught exception records the open run FAILED; a script that just ends records FINISHED', async () => {
    const cwd = project();
    const failed = await runExitScript(
      cwd,
      script('', "setTimeout(() => { throw new Error('training blew up'); }, 1);"),
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('training blew up');
    expect(await statusOf(cwd, failed.id)).toBe('FAILED');
    const finished = await runExitScript(cwd, script("mlflow.logParam('a', 1);"));
    expect(finished.code).toBe(0);
    expect(await statusOf(cwd, finished.id)).toBe('FINISHED');
  });

  it('a log call with no active run starts one, and the process leaving ends it FINISHED (as MLflow)', async () => {
    const realDir = tempDir('mlflow-auto-real-');
    const realRun = python(
      `import sys, mlflow
mlflow.set_tracking_uri('file:' + sys.argv[1] + '/mlruns')
mlflow.log_param('lr', 0.1)
mlflow.log_metric('loss', 0.5, step=1)
mlflow.log_text('hello', 'notes/a.txt')
print(mlflow.active_run().info.run_id)`,
      [realDir],
    ).trim();
    const real = JSON.parse(
      python(
        `import sys, json, mlflow
from mlflow.artifacts import list_artifacts
mlflow.set_tracking_uri('file:' + sys.argv[1] + '/mlruns')
r = mlflow.get_run(sys.argv[2])
print(json.dumps({'status': r.info.status, 'params': r.data.params, 'metrics': r.data.metrics,
  'listing': [f.path for f in list_artifacts(run_id=sys.argv[2], artifact_path='notes')]}))`,
        [realDir, realRun],
      ),
    );
    expect(real.status).toBe('FINISHED');

    const cwd = project();
    const out = await runExitScript(
      cwd,
      `import * as mlflow from '${MLFLOW}';
mlflow.logParam('lr', 0.1);
mlflow.logMetric('loss', 0.5, 1);
await mlflow.logText('hello', 'notes/a.txt');
console.log('ready ' + mlflow.activeRun().id);
`,
    );
    expect(out.code).toBe(0);
    const store = await openStore({ cwd });
    try {
      const [run] = await mlflow.searchRuns({ store, searchAllExperiments: true });
      expect(run?.info.run_id).toBe(out.id);
      expect({
        status: run?.info.status,
        params: run?.data.params,
        metrics: run?.data.metrics,
      }).toEqual({ status: real.status, params: real.params, metrics: real.metrics });
      expect(Object.keys(await store.readArtifacts(out.id))).toEqual(real.listing);
    } finally {
      await store.close();
    }
  });

  it('bad input with no active run is refused at once and starts no run', async () => {
    expect(mlflow.activeRun()).toBeUndefined();
    expect(() => mlflow.logMetric('loss', 'high' as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => mlflow.logParams([1] as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => mlflow.logMetric('loss', 1, -1)).toThrow(
      expect.objectContaining({ code: 'INVALID_STEP' }),
    );
    // A model object where the path of a file is expected.
    await expect(mlflow.logArtifact({ layers: [] } as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(mlflow.logArtifacts(42 as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(mlflow.logModel({ predict() {} } as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(mlflow.activeRun()).toBeUndefined();
  });

  it('sync calls made before the auto-started run exists land in it, in order', async () => {
    const store = memoryStore();
    // The store of the last run is the fluent API's (MLflow's tracking URI): set it with a run.
    await mlflow.startRun({ store, cwd: project() }, async () => undefined);
    const cwd = process.cwd();
    expect(mlflow.activeRun()).toBeUndefined();
    mlflow.logParam('a', 1);
    mlflow.setTag('team', 'cv');
    mlflow.logMetric('m', 1, 0);
    mlflow.logMetric('m', 2, 1);
    await mlflow.endRun();
    expect(mlflow.activeRun()).toBeUndefined();
    expect(process.cwd()).toBe(cwd);
    const [auto] = await mlflow.searchRuns({ store, searchAllExperiments: true });
    expect(auto?.info.status).toBe('FINISHED');
    expect(auto?.data).toMatchObject({
      params: { a: '1' },
      tags: { team: 'cv' },
      metrics: { m: 2 },
    });
  });
});
