import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveArtifactRef } from '@trove/core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as mlflow from '../src/index.js';
import { memoryStore, snapshotTree, tempDir } from './helpers.js';
import { ensureMlflow, python } from './mlflow-python.js';

beforeAll(() => {
  ensureMlflow();
}, 900_000);

/** The same calls in a folder, for trove's dialect and for real MLflow. */
function workspace() {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  writeFileSync(
    join(cwd, 'features.txt'),
    'rooms, zipcode, median_price, school_rating, transport',
  );
  writeFileSync(join(cwd, 'plot.png'), Buffer.alloc(300, 7));
  mkdirSync(join(cwd, 'out', 'sub', 'deeper'), { recursive: true });
  writeFileSync(join(cwd, 'out', 'a.csv'), 'a,b\n1,2\n');
  writeFileSync(join(cwd, 'out', 'sub', 'b.txt'), 'bee');
  writeFileSync(join(cwd, 'out', 'sub', 'deeper', 'c.txt'), 'sea!');
  mkdirSync(join(cwd, 'loose'));
  writeFileSync(join(cwd, 'loose', 'one.txt'), '1');
  mkdirSync(join(cwd, 'loose', 'two'));
  writeFileSync(join(cwd, 'loose', 'two', 'x.txt'), 'xx');
  return cwd;
}

const LISTINGS = [
  '',
  'plots',
  'data',
  'data/sub',
  'data/sub/deeper',
  'cfg',
  'notes',
  'two',
  'features.txt',
];

const MLFLOW_CALLS = `
import sys, json, mlflow
from mlflow.artifacts import list_artifacts
cwd = sys.argv[1]
mlflow.set_tracking_uri('file:' + cwd + '/mlruns')
with mlflow.start_run() as r:
    mlflow.log_artifact(cwd + '/features.txt')
    mlflow.log_artifact(cwd + '/plot.png', 'plots')
    mlflow.log_artifacts(cwd + '/out', 'data')
    mlflow.log_artifacts(cwd + '/loose')
    mlflow.log_text('hello', 'notes/a.txt')
    mlflow.log_dict({'b': [1, 2.5], 'a': {'z': None}}, 'cfg/c.json')
    mlflow.log_dict({'b': [1, 2.5], 'a': {'z': None}}, 'cfg/c.yaml')
    out = {}
    for p in json.loads(sys.argv[2]):
        out[p] = [[f.path, f.is_dir, f.file_size] for f in list_artifacts(run_id=r.info.run_id, artifact_path=p or None)]
    root = mlflow.get_artifact_uri()[len('file://'):]
    out['c.json'] = open(root + '/cfg/c.json').read()
    out['c.yaml'] = open(root + '/cfg/c.yaml').read()
print(json.dumps(out))
`;

describe('@trove/mlflow', () => {
  it('puts artifacts where MLflow does: listArtifacts equals list_artifacts for the same calls', async () => {
    const cwd = workspace();
    const userFiles = () =>
      Object.fromEntries(
        Object.entries(snapshotTree(cwd)).filter(([k]) => !k.startsWith('.trove')),
      );
    const before = userFiles();
    const store = memoryStore();
    const run = await mlflow.startRun({ cwd, store });
    expect(mlflow.activeRun()?.id).toBe(run.id);
    mlflow.logParams({ lr: 0.01 });
    mlflow.logMetric('loss', 0.5, 3);
    mlflow.setTag('team', 'vision');
    await mlflow.logArtifact(join(cwd, 'features.txt'));
    await mlflow.logArtifact('plot.png', 'plots');
    await mlflow.logArtifacts('out', 'data');
    await mlflow.logArtifacts('loose');
    await mlflow.logText('hello', 'notes/a.txt');
    await mlflow.logDict({ b: [1, 2.5], a: { z: null } }, 'cfg/c.json');
    await mlflow.logDict({ b: [1, 2.5], a: { z: null } }, 'cfg/c.yaml');
    const ours: Record<string, unknown> = {};
    for (const p of LISTINGS) {
      ours[p] = (await mlflow.listArtifacts(undefined, p)).map((f) => [
        f.path,
        f.isDir,
        f.fileSize,
      ]);
    }
    await mlflow.endRun();
    expect(mlflow.activeRun()).toBeUndefined();
    expect(await store.readRun(run.id)).toMatchObject({
      status: 'completed',
      params: { lr: 0.01 },
      tags: { team: 'vision' },
    });

    const theirs = JSON.parse(python(MLFLOW_CALLS, [cwd, JSON.stringify(LISTINGS)], cwd));
    for (const p of LISTINGS) expect([p, ours[p]]).toEqual([p, theirs[p]]);

    const dst = tempDir();
    const cfg = await mlflow.downloadArtifacts({
      runId: run.id,
      artifactPath: 'cfg',
      dstPath: dst,
    });
    expect(cfg).toBe(join(dst, 'cfg'));
    expect(readFileSync(join(cfg, 'c.json'), 'utf8')).toBe(theirs['c.json']);
    expect(readFileSync(join(cfg, 'c.yaml'), 'utf8')).toBe(theirs['c.yaml']);
    const deep = await mlflow.downloadArtifacts({
      runId: run.id,
      artifactPath: 'data/sub/deeper/c.txt',
      dstPath: dst,
    });
    expect(readFileSync(deep, 'utf8')).toBe('sea!');
    // MLflow's run folder aside, the user's folder is as it was: no .dvc, .gitignore, dvc.yaml.
    const after = Object.fromEntries(
      Object.entries(userFiles()).filter(([k]) => !k.startsWith('mlruns')),
    );
    expect(after).toEqual(before);
  });

  it('runs seed 003: logModel → ModelInfo, registered versions 1 then 2, an alias', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, '.trove'));
    writeFileSync(join(cwd, 'tree.pkl'), Buffer.alloc(64, 1));
    const store = memoryStore();
    const features = { sepal_length: 5.1, sepal_width: 3.5 };

    const run = await mlflow.startRun({ cwd, store, runName: 'iris' });
    const signature = mlflow.inferSignature([features], [0]);
    const info = await mlflow.logModel('tree.pkl', { name: 'iris_classifier', signature });
    const rf1 = await mlflow.logModel('tree.pkl', {
      name: 'rf_model',
      registeredModelName: 'production-classifier',
    });
    await mlflow.endRun();
    await mlflow.startRun({ cwd, store });
    const rf2 = await mlflow.logModel('tree.pkl', {
      name: 'rf_model',
      registeredModelName: 'production-classifier',
      inputExample: [features],
    });
    await mlflow.endRun();

    expect(info.modelUri).toBe(`models:/${info.modelId}`);
    expect((await resolveArtifactRef(store, info.modelUri)).md5).toBe(info.md5);
    expect((await resolveArtifactRef(store, `runs:/${run.id}/iris_classifier`)).md5).toBe(info.md5);
    expect([rf1.registeredModelVersion, rf2.registeredModelVersion]).toEqual([1, 2]);
    const client = new mlflow.MlflowClient(store);
    await client.setRegisteredModelAlias('production-classifier', 'champion', 2);
    expect((await resolveArtifactRef(store, 'models:/production-classifier@champion')).md5).toBe(
      rf2.md5,
    );
    expect((await client.getModelVersionByAlias('production-classifier', 'champion')).runId).toBe(
      rf2.runId,
    );
    const dir = await mlflow.downloadArtifacts({
      artifactUri: 'models:/production-classifier@champion',
      dstPath: tempDir(),
    });
    expect(readdirSync(dir).sort()).toEqual([
      'MLmodel',
      'input_example.json',
      'serving_input_example.json',
      'tree.pkl',
    ]);
    // MLflow 3 keeps logged models out of the run's artifacts.
    const listed = await client.listArtifacts(run.id);
    expect(listed).toEqual([]);
    const loaded = JSON.parse(
      python(
        `import sys, json
from mlflow.models import Model
m = Model.load(sys.argv[1] + '/MLmodel')
print(json.dumps({'sig': m.signature.to_dict(), 'info': m.saved_input_example_info}))`,
        [dir],
      ),
    );
    expect(loaded.sig.inputs).toBe(
      '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "double", "name": "sepal_width", "required": true}]',
    );
    expect(loaded.info.type).toBe('json_object');
    // With no active run a log call starts one (MLflow's _get_or_start_run); it used to throw RUN_ENDED.
    mlflow.logParam('x', 1);
    await mlflow.endRun();
    const [auto] = await mlflow.searchRuns({ store, searchAllExperiments: true });
    expect(auto?.info.run_id).not.toBe(run.id);
    expect(auto?.data.params).toEqual({ x: '1' });
    expect(auto?.info.status).toBe('FINISHED');
  });
});

describe('logInput (issue 23)', () => {
  it('records a dataset as an input of the active run, with its md5 and context', async () => {
    const cwd = tempDir();
    const store = memoryStore();
    writeFileSync(join(cwd, 'iris.csv'), 'a,b\n1,2\n');
    const run = await mlflow.startRun({ cwd, store });
    await mlflow.logInput(
      { source: 'iris.csv', name: 'iris', schema: { columns: ['a', 'b'] } },
      'training',
    );
    await mlflow.endRun();
    expect(await store.readLineage(run.id)).toEqual([
      expect.objectContaining({
        name: 'iris',
        kind: 'dataset',
        path: 'iris.csv',
        isInput: true,
        summary: expect.objectContaining({
          md5: createHash('md5').update('a,b\n1,2\n').digest('hex'),
          context: 'training',
          schema: { columns: ['a', 'b'] },
        }),
      }),
    ]);
    await mlflow.startRun({ cwd, store });
    await expect(mlflow.logInput('iris.csv' as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await mlflow.endRun();
    // With no active run, logInput starts one in the store of the last, as MLflow's log_input
    // does (_get_or_start_run); it used to throw RUN_ENDED.
    expect(mlflow.activeRun()).toBeUndefined();
    await mlflow.logInput({ source: join(cwd, 'iris.csv'), name: 'iris-again' }, 'eval');
    const auto = mlflow.activeRun();
    expect(auto?.id).toBeDefined();
    expect(auto?.id).not.toBe(run.id);
    await mlflow.endRun();
    expect(await store.readLineage(auto?.id as string)).toEqual([
      expect.objectContaining({
        name: 'iris-again',
        isInput: true,
        summary: expect.objectContaining({ context: 'eval' }),
      }),
    ]);
  });
});

describe('the store of the last run', () => {
  it('a run that opened its own store closes it at its end; later calls open it again, never the closed one', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, '.trove'));
    const run = await mlflow.startRun({ cwd });
    mlflow.logParam('a', 1);
    await mlflow.endRun();
    // A search with no store given reads where the last run logged.
    const [found] = await mlflow.searchRuns({ searchAllExperiments: true });
    expect(found?.info.run_id).toBe(run.id);
    expect(found?.data.params).toEqual({ a: '1' });
    // A log call with no active run starts one there, in a store of its own.
    mlflow.logParam('b', 2);
    // A search waits for the calls queued for a run being started.
    expect(await mlflow.searchRuns({ searchAllExperiments: true })).toHaveLength(2);
    const auto = mlflow.activeRun();
    expect(auto?.store).toBeDefined();
    expect(auto?.store).not.toBe(run.store);
    await mlflow.endRun();
    const all = await mlflow.searchRuns({ searchAllExperiments: true, orderBy: ['params.a'] });
    expect(all.map((r) => r.data.params)).toEqual([{ a: '1' }, { b: '2' }]);
  });
});
