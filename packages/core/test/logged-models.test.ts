/**
 * Logged models (MLflow 3's `models:/m-<id>`) in core: stored apart from any run's artifacts,
 * found by `models:/m-<id>` and by `runs:/<run>/<name>`, kept by gc, searched in the runs search's
 * grammar with MLflow's attribute names.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventsOf, logModelDir, MODEL_METRIC_DIR, newModelId } from '../src/dialect.js';
import { isTroveError } from '../src/errors.js';
import { resolveArtifactRef } from '../src/refs/resolve-ref.js';
import { startRun } from '../src/run/start-run.js';
import { gc } from '../src/tables/gc-tables.js';
import { searchLoggedModels } from '../src/tables/search-logged-models.js';
import { memoryStore, storeKeys, tempDir } from './helpers.js';

function modelFolder(cwd: string, name: string, content: string): string {
  const dir = join(cwd, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'MLmodel'), `flavors: {}\nname: ${name}\n`);
  writeFileSync(join(dir, 'weights.bin'), content);
  return dir;
}

describe('logged models', () => {
  it('are stored apart from the run, resolve by models:/ and runs:/, survive gc, and are searched', async () => {
    const cwd = tempDir('logged-');
    mkdirSync(join(cwd, '.trove'));
    const store = memoryStore();
    const run = await startRun({ cwd, store, params: { lr: 0.1 } });
    const clfId = newModelId();
    const clf = await logModelDir(
      store,
      modelFolder(cwd, 'clf', 'w1'),
      {
        modelId: clfId,
        name: 'clf',
        creationTimestamp: Date.UTC(2026, 0, 1),
        runId: run.id,
        experimentId: '0',
        modelType: 'classifier',
        params: { p: '1' },
        tags: { team: 'cv' },
        step: 0,
      },
      { run },
    );
    eventsOf(run).add('metric', `${clfId}/acc`, 0, 0.9, { dir: MODEL_METRIC_DIR });
    eventsOf(run).add('metric', `${clfId}/acc`, 1, 0.95, { dir: MODEL_METRIC_DIR });
    const otherId = newModelId();
    await logModelDir(
      store,
      modelFolder(cwd, 'other', 'w2'),
      {
        modelId: otherId,
        name: 'other',
        creationTimestamp: Date.UTC(2026, 0, 2),
        experimentId: 'exp',
        step: 0,
      },
      { cwd },
    );
    await run.end();

    expect(clf.md5).toMatch(/^[0-9a-f]{32}\.dir$/);
    expect(await store.readArtifacts(run.id)).toEqual({});
    const byId = await resolveArtifactRef(store, `models:/${clfId}`);
    expect(byId).toMatchObject({ md5: clf.md5, isdir: true, name: 'clf', kind: 'model' });
    expect((await resolveArtifactRef(store, `runs:/${run.id}/clf`)).md5).toBe(clf.md5);
    await expect(resolveArtifactRef(store, `runs:/${run.id}/nothing`)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const before = (await storeKeys(store)).filter((k) => k.startsWith('files/'));
    await gc(store, { grace: 0, cwd: false });
    const after = (await storeKeys(store)).filter((k) => k.startsWith('files/'));
    expect(after).toEqual(before);
    expect(after.length).toBe(6); // two manifests and their four files (the MLmodels differ)
    const names = async (filter: string, experimentIds?: string[]) =>
      (
        await searchLoggedModels(store, { filter, ...(experimentIds ? { experimentIds } : {}) })
      ).map((m) => m.name);
    expect(await names('')).toEqual(['other', 'clf']);
    expect(await names("model_type = 'classifier'")).toEqual(['clf']);
    expect(await names('metrics.acc > 0.92')).toEqual(['clf']);
    expect(await names('metrics.acc < 0.92')).toEqual([]);
    expect(await names(`source_run_id = '${run.id}'`)).toEqual(['clf']);
    expect(await names("creation_timestamp > '2026-01-01T12:00'")).toEqual(['other']);
    expect(await names("params.p = '1' or tags.team = 'cv'")).toEqual(['clf']);
    expect(await names('', ['exp'])).toEqual(['other']);
    const [row] = await searchLoggedModels(store, { filter: "name = 'clf'" });
    expect(row).toMatchObject({
      model_id: clfId,
      source_run_id: run.id,
      metrics: { acc: 0.95 },
      params: { p: '1' },
      tags: { team: 'cv' },
      md5: clf.md5,
    });
    expect(row?.creation_time).toEqual(new Date(Date.UTC(2026, 0, 1)));
    const ordered = await searchLoggedModels(store, { orderBy: ['creation_time ASC'] });
    expect(ordered.map((m) => m.name)).toEqual(['clf', 'other']);
    const err = await searchLoggedModels(store, { filter: 'run_id = 1' }).catch((e) => e);
    expect(isTroveError(err, 'INVALID_ARGUMENT')).toBe(true);
    expect(String(err.message)).toContain('model_id, name, model_type');
  });
});
