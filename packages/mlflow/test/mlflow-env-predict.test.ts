/**
 * The environment files trove writes build a working environment: `mlflow models predict
 * --env-manager uv` (real MLflow, real uv, packages from the package index) creates a virtualenv
 * from the model's `python_env.yaml` and `requirements.txt`, installs them, loads the model and
 * predicts. Slow (an environment is built): one test.
 *
 * uv finds the Python that `python_env.yaml` names on this machine (no download: UV_PYTHON_DOWNLOADS
 * is never). The index here lacks `mlflow-tracing==3.18.0`, which full `mlflow==3.18.0` needs, so
 * the model names `mlflow-skinny` (MLflow counts it as the mlflow requirement, as trove does) plus
 * numpy and pandas through `extraPipRequirements`: the flavor's own packages still come from
 * trove's defaults.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { troveProject } from '@trove/test-utils';
import { ensurePythonVenv } from '@trove/test-utils/python-venv';
import { beforeAll, describe, expect, it } from 'vitest';
import * as mlflow from '../src/index.js';
import { ensureMlflow, MAKE_ONNX, python } from './mlflow-python.js';

let mlflowBin = '';
let uvBin = '';

beforeAll(async () => {
  mlflowBin = join(dirname(ensureMlflow()), 'mlflow');
  uvBin = dirname(await ensurePythonVenv('uv-venv', ['uv==0.13.9'], 'uv'));
}, 900_000);

describe('environment files', () => {
  it('mlflow models predict --env-manager uv builds the environment from them and predicts', async () => {
    const cwd = troveProject('mlflow-env-');
    python(MAKE_ONNX, [join(cwd, 'model.onnx')]);
    const x = mlflow.tensor(new Float32Array([1.5, 2.5, 3.5]), [1, 3]);
    const info = await mlflow.startRun({ cwd }, () =>
      mlflow.logModel('model.onnx', {
        flavor: 'onnx',
        name: 'clf',
        signature: mlflow.inferSignature(x),
        extraPipRequirements: ['mlflow-skinny==3.18.0', 'numpy==2.4.6', 'pandas==3.1.1'],
      }),
    );
    const dir = await mlflow.downloadArtifacts({
      artifactUri: info.modelUri,
      dstPath: join(cwd, 'dl'),
    });
    expect(readFileSync(join(dir, 'requirements.txt'), 'utf8')).toBe(
      'onnx==1.23.2\nonnxruntime==1.32.0\nmlflow-skinny==3.18.0\nnumpy==2.4.6\npandas==3.1.1',
    );
    writeFileSync(join(cwd, 'input.json'), JSON.stringify({ inputs: [[1.5, 2.5, 3.5]] }));
    execFileSync(
      mlflowBin,
      [
        'models',
        'predict',
        '--model-uri',
        dir,
        '--input-path',
        join(cwd, 'input.json'),
        '--content-type',
        'json',
        '--output-path',
        join(cwd, 'out.json'),
        '--env-manager',
        'uv',
      ],
      {
        cwd,
        env: {
          ...process.env,
          PATH: `${uvBin}:${process.env.PATH}`,
          UV_PYTHON_DOWNLOADS: 'never',
          PYTHONWARNINGS: 'ignore',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
        maxBuffer: 64 << 20,
      },
    );
    expect(JSON.parse(readFileSync(join(cwd, 'out.json'), 'utf8'))).toEqual({
      predictions: { Y: [[4, 6, 8]] },
    });
  }, 900_000);
});
