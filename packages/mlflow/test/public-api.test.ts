import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('@trove/mlflow', () => {
  it("exports MLflow's fluent API, the registry client and the model format helpers", async () => {
    const mlflowFace = await import('../src/index.js');
    expect(Object.keys(mlflowFace).sort()).toEqual([
      'MlflowClient',
      'ViewType',
      'activeRun',
      'downloadArtifacts',
      'endRun',
      'getLoggedModel',
      'getRun',
      'inferSignature',
      'listArtifacts',
      'logArtifact',
      'logArtifacts',
      'logDict',
      'logInput',
      'logMetric',
      'logMetrics',
      'logModel',
      'logParam',
      'logParams',
      'logRunModel',
      'logText',
      'searchLoggedModels',
      'searchRuns',
      'setExperiment',
      'setTag',
      'setTags',
      'startRun',
      'tensor',
      'withRun',
    ]);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(pkg.exports['.']).toEqual({
      types: './dist/index.d.ts',
      default: './dist/index.js',
    });
  });
});
