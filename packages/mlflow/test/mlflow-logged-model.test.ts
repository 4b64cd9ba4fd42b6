/**
 * MLflow 3's logged models, side by side with real MLflow (pip, file store): the same calls give
 * the same ModelInfo fields (ids, times and the script's path aside), the same run listing (the
 * model is not in it), the same search_logged_models results and linked metrics, and the model
 * directory downloaded from `models:/m-<id>` loads and predicts with `mlflow.pyfunc`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { troveProject } from '@trove/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import * as mlflow from '../src/index.js';
import { memoryStore, tempDir } from './helpers.js';
import { ensureMlflow, MAKE_ONNX, python } from './mlflow-python.js';

beforeAll(() => {
  ensureMlflow();
}, 900_000);

const FILTERS = [
  'metrics.acc > 0.9',
  "name = 'clf'",
  "model_type = 'regressor'",
  "params.p = '1'",
  "tags.t = 'x'",
  "params.lr = '0.1'",
];

const REAL = `
import sys, json, onnx, mlflow
from mlflow.artifacts import list_artifacts, download_artifacts
cwd, model_path, filters = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
mlflow.set_tracking_uri('file:' + cwd + '/mlruns')
m = onnx.load(model_path)
with mlflow.start_run() as r:
    mlflow.log_param('lr', 0.1)
    mlflow.log_text('hello', 'notes/a.txt')
    info = mlflow.onnx.log_model(m, name='clf', params={'p': 1}, tags={'t': 'x'}, model_type='classifier')
    mlflow.log_metric('acc', 0.95, step=0, model_id=info.model_id)
    mlflow.log_metric('acc', 0.97, step=1, model_id=info.model_id)
    other = mlflow.onnx.log_model(m, name='other', model_type='regressor')
    mlflow.log_metric('acc', 0.5, step=0, model_id=other.model_id)
    listing = {p: [[f.path, f.is_dir, f.file_size] for f in list_artifacts(run_id=r.info.run_id, artifact_path=p or None)] for p in ['', 'notes']}
norun = mlflow.onnx.log_model(m, name='norun')
fields = ['model_uri', 'model_uuid', 'run_id', 'saved_input_example_info', 'utc_time_created', 'mlflow_version', 'env_vars', 'metadata', 'registered_model_version', 'model_id', 'params', 'tags', 'creation_timestamp', 'name', 'flavors', 'metrics']
def info_dict(i):
    d = {k: getattr(i, k) for k in fields}
    d['signature'] = i.signature.to_dict() if i.signature else None
    return d
files = download_artifacts(info.model_uri, dst_path=cwd + '/dl')
env = {f: open(files + '/' + f).read() for f in ['requirements.txt', 'python_env.yaml', 'conda.yaml']}
print(json.dumps({
    'run_id': r.info.run_id,
    'info': info_dict(info),
    'norun': info_dict(norun),
    'listing': listing,
    'searches': {f: sorted(x.name for x in mlflow.search_logged_models(filter_string=f, output_format='list')) for f in filters},
    'metrics': sorted([mm.key, mm.value, mm.step] for mm in mlflow.get_logged_model(info.model_id).metrics),
    'files': sorted(__import__('os').listdir(files)),
    'env': env,
}, default=str))
`;

/** Loads the model directory with MLflow and predicts. */
const PREDICT = `
import sys, json, numpy as np, mlflow.pyfunc
loaded = mlflow.pyfunc.load_model(sys.argv[1])
pred = loaded.predict(np.array([[1, 2, 3]], dtype=np.float32))
print(json.dumps({k: v.tolist() for k, v in pred.items()}))
`;

/** A ModelInfo as MLflow's Python names its fields. */
function pythonNames(info: mlflow.ModelInfo): Record<string, unknown> {
  return {
    model_uri: info.modelUri,
    model_uuid: info.modelUuid,
    run_id: info.runId,
    saved_input_example_info: info.savedInputExampleInfo ?? null,
    utc_time_created: info.utcTimeCreated,
    mlflow_version: info.mlflowVersion,
    env_vars: info.envVars,
    metadata: info.metadata ?? null,
    registered_model_version: info.registeredModelVersion,
    model_id: info.modelId,
    params: info.params,
    tags: info.tags,
    creation_timestamp: info.creationTimestamp,
    name: info.name,
    flavors: info.flavors,
    metrics: info.metrics,
    signature: info.signature ?? null,
  };
}

/** What differs by nature between two loggings: ids, times, and the script's path. */
function comparable(d: Record<string, unknown>, runId: string | null): Record<string, unknown> {
  const id = d.model_id as string;
  const tags = { ...(d.tags as Record<string, string>) };
  expect(tags['mlflow.source.name']).toEqual(expect.any(String));
  delete tags['mlflow.source.name'];
  expect(d.model_uri).toBe(`models:/${id}`);
  expect(d.model_uuid).toBe(id);
  expect(id).toMatch(/^m-[0-9a-f]{32}$/);
  expect(d.run_id).toBe(runId);
  expect(d.utc_time_created).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
  expect(d.creation_timestamp).toEqual(expect.any(Number));
  const { model_id, model_uri, model_uuid, run_id, utc_time_created, creation_timestamp, ...rest } =
    d;
  return { ...rest, tags };
}

describe('logged models, side by side with MLflow 3', () => {
  it('the same calls give the same ModelInfo, run listing, searches and linked metrics; the model predicts', async () => {
    const cwd = troveProject('mlflow-lm-');
    const onnxPath = join(cwd, 'model.onnx');
    python(MAKE_ONNX, [onnxPath]);
    const real = JSON.parse(
      python(REAL, [tempDir('mlflow-lm-real-'), onnxPath, JSON.stringify(FILTERS)]),
    );

    const store = memoryStore();
    const ours = await mlflow.startRun({ store, cwd }, async (run) => {
      mlflow.logParam('lr', 0.1);
      await mlflow.logText('hello', 'notes/a.txt');
      const info = await mlflow.logModel('model.onnx', {
        flavor: 'onnx',
        name: 'clf',
        params: { p: 1 },
        tags: { t: 'x' },
        modelType: 'classifier',
      });
      mlflow.logMetric('acc', 0.95, 0, { modelId: info.modelId });
      mlflow.logMetric('acc', 0.97, 1, { modelId: info.modelId });
      const other = await mlflow.logModel('model.onnx', {
        flavor: 'onnx',
        name: 'other',
        modelType: 'regressor',
      });
      mlflow.logMetric('acc', 0.5, 0, { modelId: other.modelId });
      const listing: Record<string, unknown> = {};
      for (const p of ['', 'notes']) {
        listing[p] = (await mlflow.listArtifacts(undefined, p || undefined)).map((f) => [
          f.path,
          f.isDir,
          f.fileSize,
        ]);
      }
      return { info, runId: run.id, listing };
    });
    // No active run: a model of no run, as MLflow 3 logs it (from the working folder's project).
    const home = process.cwd();
    process.chdir(cwd);
    const norun = await mlflow
      .logModel('model.onnx', { flavor: 'onnx', name: 'norun' })
      .finally(() => process.chdir(home));

    expect(comparable(pythonNames(ours.info), ours.runId)).toEqual(
      comparable(real.info, real.run_id),
    );
    expect(comparable(pythonNames(norun), null)).toEqual(comparable(real.norun, null));
    expect(ours.listing).toEqual(real.listing);
    expect(real.listing['']).toEqual([['notes', true, null]]);

    const searches: Record<string, string[]> = {};
    for (const f of FILTERS) {
      searches[f] = (await mlflow.searchLoggedModels({ filterString: f }))
        .map((m) => m.name)
        .sort();
    }
    expect(searches).toEqual(real.searches);
    expect(searches['metrics.acc > 0.9']).toEqual(['clf']);
    const model = await mlflow.getLoggedModel(ours.info.modelId);
    expect(model.metrics.map((m) => [m.key, m.value, m.step]).sort()).toEqual(real.metrics);
    expect(model).toMatchObject({
      name: 'clf',
      model_type: 'classifier',
      source_run_id: ours.runId,
      status: 'READY',
      params: { p: '1', lr: '0.1' },
    });
    const ordered = await mlflow.searchLoggedModels({
      orderBy: [{ fieldName: 'creation_timestamp', ascending: true }],
    });
    expect(ordered.map((m) => m.name)).toEqual(['clf', 'other', 'norun']);

    // models:/m-<id> downloads the directory MLflow 3 downloads (env files included) and it predicts.
    const dir = await mlflow.downloadArtifacts({
      artifactUri: ours.info.modelUri,
      dstPath: join(tempDir('mlflow-lm-dl-'), 'm'),
    });
    expect(readdirSync(dir).sort()).toEqual(real.files);
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toBe(real.env['requirements.txt']);
    // MLflow pins the pip and setuptools it runs with; trove, which runs none, leaves them open.
    const unpin = (text: string) => text.replace(/^(- pip|- setuptools)(==|<=)[^\n]*$/gm, '$1');
    for (const f of ['python_env.yaml', 'conda.yaml'])
      expect(readFileSync(join(dir, f), 'utf8')).toBe(unpin(real.env[f]));
    expect(JSON.parse(python(PREDICT, [dir]))).toEqual({ Y: [[3, 5, 7]] });
    // MLflow 2's URI of a model in a run still names it.
    const old = await mlflow.downloadArtifacts({
      artifactUri: `runs:/${ours.runId}/clf`,
      dstPath: join(tempDir('mlflow-lm-old-'), 'm'),
    });
    expect(readdirSync(old).sort()).toEqual(real.files);
  });
});
