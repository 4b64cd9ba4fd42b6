/**
 * `trove get <run>` on a run logged through the Polyaxon dialect: the run folder comes back
 * path for path, `outputs/`, `assets/` and `events/` alike, from the local store and from S3.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '@trove/core';
import * as tracking from '@trove/polyaxon';
import { snapshotTree, tempDir } from '@trove/test-utils';
import { createBucket, MOTO_ENV, startMoto } from '@trove/test-utils/moto';
import { describe, expect, it } from 'vitest';
import { trove, troveJson } from './helpers.js';

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Paths and contents only: how a file was materialized (its mode) is checkout's business. */
function contents(root: string): Record<string, string> {
  // The client's bookkeeping files (run.plx.json, lineages.plx.json) are the run record's job.
  return Object.fromEntries(
    Object.entries(snapshotTree(root, ['run.plx.json', 'lineages.plx.json'])).map(([path, e]) => [
      path,
      e.type === 'file' ? e.md5 : e.type,
    ]),
  );
}

/**
 * A Polyaxon script: saved outputs, a versioned artifact, a model, a metric (saved three times)
 * and a curve.
 */
async function polyaxonScript(cwd: string, store?: Store): Promise<tracking.PolyaxonRun> {
  writeFileSync(join(cwd, 'file.tar.gz'), 'tgz');
  const run = await tracking.init({
    cwd,
    name: 'plx',
    artifactsPath: tempDir(),
    ...(store ? { store } : {}),
  });
  writeFileSync(tracking.getOutputsPath('model/model.h5'), 'weights');
  const sub = tracking.getOutputsPath('sub-folder', { isDir: true });
  mkdirSync(join(sub, 'deep'));
  writeFileSync(join(sub, 'deep', 'a.txt'), 'a');
  await tracking.logArtifact({ path: 'file.tar.gz', kind: 'dataframe', step: 3 });
  await tracking.logModel('file.tar.gz', { framework: 'scikit', relPath: 'models' });
  // Three saves of the metric: the store holds its base file and two appended segments.
  tracking.logMetric('loss', 0.5, { step: 1 });
  await tracking.flush();
  tracking.logMetric('loss', 0.25, { step: 2 });
  await tracking.flush();
  tracking.logMetric('loss', 0.125, { step: 3 });
  tracking.logCurve('roc', [0, 1], [0, 1], { step: 1 });
  await tracking.end();
  return run;
}

const RESTORED = [
  'assets/dataframe/file_3.tar.gz',
  'events/curve/roc.plx',
  'events/dataframe/file.plx',
  'events/metric/loss.plx',
  'outputs/model',
  'outputs/models/file.tar.gz',
  'outputs/sub-folder',
];

describe('trove get <run> after the Polyaxon dialect', () => {
  it('restores outputs/, assets/ and events/ as the run folder had them', async () => {
    const cwd = tempDir();
    expect(trove(['init'], { cwd }).code).toBe(0);
    const run = await polyaxonScript(cwd);

    const out = join(cwd, 'restored');
    const got = troveJson<Array<{ artifact: string }>>(['get', run.id, '-o', out], { cwd });
    expect(got.map((r) => r.artifact).sort()).toEqual(RESTORED);
    expect(contents(out)).toEqual(contents(run.artifactsPath));
    // One events file, as Polyaxon writes it, from the base file and its segments in the store.
    const events = join(cwd, '.trove/runs', run.id, 'events/metric');
    expect(readdirSync(events).sort()).toEqual(['loss.plx', 'loss.plx.000001', 'loss.plx.000002']);
    expect(readFileSync(join(events, 'loss.plx.000002'), 'utf8')).toMatch(/^\n3\|[^|]+\|0\.125$/);
    expect(readFileSync(join(out, 'events/metric/loss.plx'), 'utf8')).toMatch(
      /^step\|timestamp\|metric\n1\|[^|]+\|0\.5\n2\|[^|]+\|0\.25\n3\|[^|]+\|0\.125$/,
    );
    expect(readFileSync(join(out, 'events/metric/loss.plx'), 'utf8')).toBe(
      readFileSync(join(run.artifactsPath, 'events/metric/loss.plx'), 'utf8'),
    );
    // A second get into the same folder leaves what is there and says so.
    const again = trove(['get', run.id, '-o', out, '--json'], { cwd });
    expect(again.code).not.toBe(0);
    expect(readFileSync(join(out, 'outputs/model/model.h5'), 'utf8')).toBe('weights');
  });

  it('does the same on an S3 store (moto)', async () => {
    const moto = await startMoto();
    try {
      const bucket = await createBucket(moto.url, 'plx');
      const cwd = tempDir();
      writeFileSync(
        join(cwd, 'trove.yaml'),
        `store: team\nstores:\n  team: { type: s3, bucket: ${bucket}, endpoint: "${moto.url}", forcePathStyle: true, prefix: trove }\n`,
      );
      // The AWS SDK reads its credentials from the process's environment.
      const saved = { ...process.env };
      Object.assign(process.env, MOTO_ENV);
      let run: tracking.PolyaxonRun;
      try {
        const store = await openStore({ cwd, resolveFrom: [CLI_DIR] });
        run = await polyaxonScript(cwd, store);
        await store.close();
      } finally {
        for (const key of Object.keys(MOTO_ENV)) {
          if (saved[key] === undefined) delete process.env[key];
          else process.env[key] = saved[key];
        }
      }
      const out = join(cwd, 'restored');
      const got = troveJson<Array<{ artifact: string }>>(['get', run.id, '-o', out], {
        cwd,
        env: MOTO_ENV,
      });
      expect(got.map((r) => r.artifact).sort()).toEqual(RESTORED);
      expect(contents(out)).toEqual(contents(run.artifactsPath));
    } finally {
      await moto.stop();
    }
  });
});
