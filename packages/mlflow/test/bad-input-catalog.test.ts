/**
 * Issue 18's catalog, the MLflow dialect's part (items 2, 6, 9): params JSON cannot hold are kept
 * as MLflow keeps them (`str(value)`), a signature real MLflow cannot load is refused before the
 * first write (checked against `ModelSignature.from_dict`), and a refused call leaves nothing in
 * the project, the store or TMPDIR (a fresh folder per case).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectRefusedCleanly } from '@trove/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as mlflow from '../src/index.js';
import { memoryStore, tempDir } from './helpers.js';
import { ensureMlflow, python } from './mlflow-python.js';

beforeAll(() => {
  ensureMlflow();
}, 900_000);

afterEach(async () => {
  while (mlflow.activeRun()) await mlflow.endRun();
});

async function started() {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'model.onnx'), Buffer.alloc(64, 3));
  const store = memoryStore();
  const run = await mlflow.startRun({ cwd, store });
  return { cwd, store, run };
}

const TENSOR = { type: 'tensor', 'tensor-spec': { dtype: 'float32', shape: [-1, 3] } };
const SIGNATURES_MLFLOW_REFUSES: Record<string, unknown[]> = {
  'a type MLflow does not have': [{ type: 'banana' }],
  'a tensor without its spec': [{ type: 'tensor' }],
  'a tensor spec without a shape': [{ type: 'tensor', 'tensor-spec': { dtype: 'float32' } }],
  'a dtype numpy does not know': [
    { type: 'tensor', 'tensor-spec': { dtype: 'banana', shape: [-1] } },
  ],
  'tensors mixed with columns': [TENSOR, { type: 'double', name: 'a' }],
  'named and unnamed columns': [{ type: 'double', name: 'a' }, { type: 'long' }],
  'an array without items': [{ type: 'array', name: 'a' }],
  'a column with an unknown key': [{ type: 'double', name: 'a', width: 3 }],
  'an empty schema': [],
};

describe('logModel refuses signatures MLflow cannot load, before the first write', () => {
  it('real MLflow refuses each of them too (ModelSignature.from_dict)', () => {
    const out = python(
      `import json, sys
from mlflow.models.signature import ModelSignature
res = {}
for name, schema in json.loads(sys.argv[1]).items():
    try:
        ModelSignature.from_dict({'inputs': json.dumps(schema)})
        res[name] = 'loaded'
    except Exception as e:
        res[name] = 'refused'
print(json.dumps(res))`,
      [JSON.stringify({ ...SIGNATURES_MLFLOW_REFUSES, fine: [TENSOR] })],
    );
    const expected = Object.fromEntries(
      Object.keys(SIGNATURES_MLFLOW_REFUSES).map((k) => [k, 'refused']),
    );
    expect(JSON.parse(out)).toEqual({ ...expected, fine: 'loaded' });
  });

  for (const [name, inputs] of Object.entries(SIGNATURES_MLFLOW_REFUSES)) {
    it(`${name}: INVALID_ARGUMENT, nothing stored, nothing registered`, async () => {
      const { cwd, store } = await started();
      await expectRefusedCleanly(
        'INVALID_ARGUMENT',
        () =>
          mlflow.logModel('model.onnx', {
            signature: { inputs: JSON.stringify(inputs) } as never,
            registeredModelName: 'm',
          }),
        { dirs: [cwd], store },
      );
    });
  }
});

describe('params, dicts and downloads (items 2 and 9)', () => {
  it('logParam with a BigInt or a function: kept (10, str(value)); endRun() completes', async () => {
    const { store, run } = await started();
    mlflow.logParam('n', 10n);
    mlflow.logParams({ big: 2n ** 70n, fn: function scale() {} });
    await mlflow.endRun();
    const record = await store.readRun(run.id);
    expect(record.status).toBe('completed');
    expect(record.params).toEqual({
      n: 10,
      big: '1180591620717411303424',
      fn: '<function scale>',
    });
  });

  it('logDict with a cycle: INVALID_ARGUMENT (was a RangeError)', async () => {
    const { cwd, store } = await started();
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    await expectRefusedCleanly('INVALID_ARGUMENT', () => mlflow.logDict(loop, 'd.json'), {
      dirs: [cwd],
      store,
    });
    await expectRefusedCleanly('INVALID_ARGUMENT', () => mlflow.logDict(loop, 'd.yaml'), {
      dirs: [cwd],
      store,
    });
  });

  it('downloadArtifacts to a file: INVALID_PATH, no temp folder left (was EEXIST/ENOTDIR)', async () => {
    const { cwd, store, run } = await started();
    await mlflow.logArtifact('model.onnx');
    await mlflow.endRun();
    writeFileSync(join(cwd, 'dest'), 'mine');
    for (const dstPath of [join(cwd, 'dest'), join(cwd, 'dest', 'below')]) {
      await expectRefusedCleanly(
        'INVALID_PATH',
        () => mlflow.downloadArtifacts({ runId: run.id, dstPath }),
        { dirs: [cwd], store },
      );
    }
    // With no dstPath a temp folder is made only once the artifact is found.
    await expectRefusedCleanly(
      'NOT_FOUND',
      () => mlflow.downloadArtifacts({ runId: run.id, artifactPath: 'absent' }),
      { dirs: [cwd], store },
    );
  });
});
