import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkout, openRegistry, resolveArtifactRef, startRun } from '@trove/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { logRunModel } from '../src/index.js';
import { tensor } from '../src/model/schema.js';
import { inferSignature, signatureDict } from '../src/model/signature.js';
import { memoryStore, snapshotTree, storeKeys, tempDir } from './helpers.js';
import { ensureMlflow, MAKE_ONNX, python } from './mlflow-python.js';

/** Loads every model dir given with MLflow; predicts with the first; prints JSON. */
const LOAD = `
import sys, json, yaml, numpy as np, mlflow.pyfunc
from mlflow.models import Model, infer_signature
from mlflow.models.utils import _read_example
out = []
for d in sys.argv[1:]:
    m = Model.load(d + '/MLmodel')
    text = open(d + '/MLmodel').read()
    out.append({
        'flavors': sorted(m.flavors),
        'signature': m.signature.to_dict() if m.signature else None,
        'example': _read_example(m, d).tolist() if m.saved_input_example_info and m.saved_input_example_info['type'] == 'ndarray' else None,
        'same_yaml': yaml.safe_dump(yaml.safe_load(text), default_flow_style=False) == text,
        'model_id': m.model_id, 'run_id': m.run_id, 'size': m.model_size_bytes,
    })
loaded = mlflow.pyfunc.load_model(sys.argv[1])
x = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32)
y = infer_signature(x, x * 2 + 1).to_dict()
pred = loaded.predict(x)  # the ONNX pyfunc returns {output name: array}
print(json.dumps({'models': out, 'predict': {k: v.tolist() for k, v in pred.items()}, 'expected_signature': y}))
`;

beforeAll(() => {
  ensureMlflow();
}, 900_000);

function project() {
  const cwd = tempDir();
  mkdirSync(join(cwd, '.trove'));
  return { cwd, store: memoryStore() };
}

describe('logModel: MLflow model format', () => {
  it('writes an ONNX model MLflow loads and serves; registers versions 1, 2; URIs resolve', async () => {
    const { cwd, store } = project();
    const onnxPath = join(cwd, 'model.onnx');
    python(MAKE_ONNX, [onnxPath]);
    const userFiles = () =>
      Object.fromEntries(
        Object.entries(snapshotTree(cwd)).filter(([k]) => !k.startsWith('.trove')),
      );
    const before = userFiles();
    const x = tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const y = tensor(new Float32Array([3, 5, 7, 9, 11, 13]), [2, 3]);
    const run = await startRun({ cwd, store });
    const info = await logRunModel(run, 'model.onnx', {
      name: 'iris_classifier',
      flavor: 'onnx',
      signature: inferSignature(x, y),
      inputExample: x,
      pipRequirements: ['onnx==1.23.2', 'onnxruntime'],
      metadata: { source: 'trove' },
      registeredModelName: 'production-classifier',
    });
    const again = await logRunModel(run, 'model.onnx', {
      name: 'plain',
      registeredModelName: 'production-classifier',
    });
    await run.end();
    // Nothing was written into the user's folder (no .dvc, .gitignore, dvc.yaml); .trove/ is
    // trove's own (its stat cache).
    expect(userFiles()).toEqual(before);

    expect(info).toMatchObject({
      modelUri: `models:/${info.modelId}`,
      artifactPath: `models:/${info.modelId}`,
      name: 'iris_classifier',
      runId: run.id,
      registeredModelVersion: 1,
      metadata: { source: 'trove' },
      step: 0,
    });
    expect(info.modelId).toMatch(/^m-[0-9a-f]{32}$/);
    expect(info.utcTimeCreated).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
    expect(Object.keys(info.flavors)).toEqual(['onnx', 'python_function']);
    expect(again.registeredModelVersion).toBe(2);

    const dirs: string[] = [];
    for (const uri of [
      // MLflow 2's form still names it: the run's model of that name.
      `runs:/${run.id}/iris_classifier`,
      info.modelUri,
      'models:/production-classifier/1',
      `models:/${info.modelId}`,
      'models:/production-classifier/latest',
    ]) {
      const found = await resolveArtifactRef(store, uri);
      const dest = join(tempDir(), 'm');
      await checkout(store.objects, found.md5, dest);
      dirs.push(dest);
    }
    expect((await resolveArtifactRef(store, 'models:/production-classifier/latest')).md5).toBe(
      again.md5,
    );
    expect(readdirSync(dirs[0] as string).sort()).toEqual([
      'MLmodel',
      'conda.yaml',
      'input_example.json',
      'model.onnx',
      'python_env.yaml',
      'requirements.txt',
      'serving_input_example.json',
    ]);
    // As MLflow 3: mlflow pinned to the version whose format this is, first.
    expect(readFileSync(join(dirs[0] as string, 'requirements.txt'), 'utf8')).toBe(
      'mlflow==3.18.0\nonnx==1.23.2\nonnxruntime',
    );
    const plainDir = join(tempDir(), 'plain');
    await checkout(store.objects, again.md5, plainDir);

    // Every URI names the same directory.
    expect(new Set(dirs.slice(0, 4).map((d) => JSON.stringify(snapshotTree(d)))).size).toBe(1);
    const result = JSON.parse(python(LOAD, [dirs[0] as string, dirs[2] as string, plainDir]));
    expect(result.predict).toEqual({
      Y: [
        [3, 5, 7],
        [9, 11, 13],
      ],
    });
    const [onnx, , plain] = result.models;
    expect(onnx).toMatchObject({
      flavors: ['onnx', 'python_function'],
      signature: result.expected_signature,
      example: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      same_yaml: true,
      model_id: info.modelId,
      run_id: run.id,
    });
    expect(onnx.size).toBeGreaterThan(100);
    expect(plain).toMatchObject({ flavors: [], signature: null, same_yaml: true });
    expect(await storeKeys(store)).toContain(`models/${info.modelId}.json`);
  });

  it('refuses bad input before writing anything', async () => {
    const { cwd, store } = project();
    writeFileSync(join(cwd, 'm.onnx'), 'not really onnx');
    const run = await startRun({ cwd, store });
    const keys = await storeKeys(store);
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e) => e.code,
      );
    const x = tensor(new Float32Array([1, 2, 3]), [1, 3]);
    expect(await code(logRunModel(run, 'm.onnx', { flavor: 'sklearn' as 'onnx' }))).toBe(
      'INVALID_ARGUMENT',
    );
    expect(
      await code(
        logRunModel(run, 'm.onnx', {
          signature: inferSignature(x),
          inputExample: tensor(new Int32Array([1, 2]), [1, 2]),
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(
      await code(
        logRunModel(run, 'm.onnx', {
          signature: inferSignature([{ a: 1.5, b: 'x' }]),
          inputExample: [{ a: 1.5 }],
        }),
      ),
    ).toBe('INVALID_ARGUMENT');
    expect(await code(logRunModel(run, 'm.onnx', { registeredModelName: 'bad name' }))).toBe(
      'INVALID_NAME',
    );
    expect(await code(logRunModel(run, 'missing.onnx'))).toBe('NOT_FOUND');
    // A logged model's name is a name (MLflow 3 refuses / : . % and quotes), no longer a path.
    expect(await code(logRunModel(run, 'm.onnx', { name: '../up' }))).toBe('INVALID_ARGUMENT');
    expect(await code(logRunModel(run, 'm.onnx', { name: 'a.b' }))).toBe('INVALID_ARGUMENT');
    // A model object where the path of a saved model is expected.
    expect(await code(logRunModel(run, { layers: [] } as never))).toBe('INVALID_ARGUMENT');
    await run.flush();
    expect(await storeKeys(store)).toEqual(keys);
    expect(await openRegistry(store).listModels()).toEqual([]);
    await run.end();
  });
});

describe('inferSignature equals mlflow.models.infer_signature', () => {
  const INFER = `
import sys, json, numpy as np
from mlflow.models import infer_signature
def data(v):
    if isinstance(v, dict) and '__tensor__' in v:
        return np.array(v['data'], dtype=v['__tensor__']).reshape(v['shape'])
    if isinstance(v, dict) and all(isinstance(x, dict) and '__tensor__' in x for x in v.values()) and v:
        return {k: data(x) for k, x in v.items()}
    return v
cases = json.load(open(sys.argv[1]))
print(json.dumps([infer_signature(data(c['input']), data(c['output']) if 'output' in c else None).to_dict() for c in cases]))
`;
  const t = (dtype: string, data: number[], shape: number[]) => ({
    __tensor__: dtype,
    data,
    shape,
  });

  it('on tabular and tensor data', () => {
    const cases: { input: unknown; output?: unknown; ts: [unknown, unknown?] }[] = [];
    const add = (input: unknown, ts: unknown, output?: unknown, tsOut?: unknown) =>
      cases.push({
        input,
        ...(output !== undefined ? { output } : {}),
        ts: output !== undefined ? [ts, tsOut] : [ts],
      });
    const records = [
      { a: 1, b: 2.5, c: 'x', d: true },
      { a: 2, b: 3.5, c: 'y', d: false },
    ];
    add(records, records, [0, 1], [0, 1]);
    add(
      [
        { a: 1, tags: ['p', 'q'] },
        { a: null, tags: [] },
      ],
      [
        { a: 1, tags: ['p', 'q'] },
        { a: null, tags: [] },
      ],
    );
    add([{ a: { k: 'v', n: 1 } }, { a: { k: 'w' } }], [{ a: { k: 'v', n: 1 } }, { a: { k: 'w' } }]);
    add({ a: [1, 2], b: 'q', c: null }, { a: [1, 2], b: 'q', c: null });
    add([1.5, 2.5], [1.5, 2.5]);
    add('a sentence', 'a sentence');
    add([{ a: 1 }, { a: 2.5 }], [{ a: 1 }, { a: 2.5 }]); // mixed: MLflow falls back to any
    add(
      t('float32', [1, 2, 3, 4, 5, 6], [2, 3]),
      tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]),
      t('int64', [0, 1], [2]),
      tensor(new BigInt64Array([0n, 1n]), [2]),
    );
    add(t('uint8', new Array(8).fill(0), [2, 2, 2]), tensor(new Uint8Array(8), [2, 2, 2]));
    add(t('float64', [1, 2], [2]), tensor(new Float64Array([1, 2]), [2]));
    add(
      { x: t('float32', [1, 2, 3, 4], [2, 2]), y: t('int32', [1, 2], [2]) },
      { x: tensor(new Float32Array(4), [2, 2]), y: tensor(new Int32Array(2), [2]) },
    );
    const file = join(tempDir(), 'cases.json');
    writeFileSync(file, JSON.stringify(cases.map(({ ts, ...c }) => c)));
    const expected = JSON.parse(python(INFER, [file]));
    const ours = cases.map((c) => signatureDict(inferSignature(...(c.ts as [unknown, unknown?]))));
    expect(ours).toEqual(expected);
  });
});
