/**
 * `trove ui` over the cloud stores, on their emulators (loopback): moto (S3), fake-gcs-server
 * (GCS), Azurite (Azure). Each lists the runs, reads a file and a metric series through the
 * server, from a store written by trove's API and opened from a trove.yaml, as the CLI opens it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store, startRun } from '@trove/core';
import { freePort, tempDir } from '@trove/test-utils';
import { type AzuriteServer, createContainer, startAzurite } from '@trove/test-utils/azurite';
import { createGcsBucket, type FakeGcs, startFakeGcs } from '@trove/test-utils/gcs';
import { createBucket, MOTO_ENV, type MotoServer, startMoto } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi } from '../src/index.js';
import { get } from './http.js';

let moto: MotoServer | undefined;
let fake: FakeGcs | undefined;
let azurite: AzuriteServer | undefined;

beforeAll(async () => {
  Object.assign(process.env, MOTO_ENV);
  [moto, fake, azurite] = await Promise.all([startMoto(), startFakeGcs(), startAzurite()]);
});

afterAll(async () => {
  await Promise.all([moto?.stop(), fake?.stop(), azurite?.stop()]);
});

/** This package's folder: the backend packages (its dev dependencies) resolve from here. */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

async function cloudProject(storeYaml: string): Promise<{ cwd: string; store: Store }> {
  const cwd = tempDir('trove-ui-cloud-');
  process.env.TROVE_CACHE_DIR = join(cwd, 'cache');
  writeFileSync(join(cwd, 'trove.yaml'), `store: cloud\nstores:\n  cloud: ${storeYaml}\n`);
  const store = await openStore({ cwd, resolveFrom: [PACKAGE_DIR] });
  return { cwd, store };
}

/** One run with a metric of 300 steps and a CSV, served; the three reads asserted. */
async function expectServed(cwd: string, store: Store): Promise<void> {
  const run = await startRun({ store, cwd, name: 'cloud-run', params: { lr: 0.5 } });
  for (let s = 0; s < 300; s++) run.logMetric('loss', 300 - s, { step: s });
  writeFileSync(join(cwd, 'table.csv'), 'a,b\n1,2\n');
  await run.logArtifact('table.csv');
  await run.end();
  const ui = await startUi({ store });
  try {
    const runs = (await get(ui.url, '/api/runs')).json();
    expect(runs).toMatchObject({
      total: 1,
      rows: [{ id: run.id, name: 'cloud-run', params: { lr: '0.5' } }],
    });
    const file = await get(ui.url, `/api/runs/${run.id}/file?path=outputs/table.csv`);
    expect([file.status, file.body.toString()]).toEqual([200, 'a,b\n1,2\n']);
    const part = await get(ui.url, `/api/runs/${run.id}/file?path=outputs/table.csv`, {
      headers: { range: 'bytes=4-6' },
    });
    expect([part.status, part.body.toString()]).toEqual([206, '1,2']);
    const { series } = (
      await get(ui.url, `/api/metrics?runs=${run.id}&keys=loss&width=1000`)
    ).json();
    expect(series).toHaveLength(1);
    expect(series[0].total).toBe(300);
    expect(series[0].x).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(series[0].y[0]).toBe(300);
    expect(series[0].y[299]).toBe(1);
  } finally {
    await ui.close();
    await store.close();
  }
}

describe('trove ui on cloud stores', () => {
  it('S3 (moto): runs, a file with Range, a metric series', async () => {
    const url = moto?.url as string;
    const bucket = await createBucket(url, 'ui');
    const { cwd, store } = await cloudProject(
      `{ type: s3, bucket: ${bucket}, endpoint: "${url}", forcePathStyle: true, prefix: trove }`,
    );
    await expectServed(cwd, store);
  });

  it('GCS (fake-gcs-server): runs, a file with Range, a metric series', async () => {
    const url = fake?.url as string;
    const bucket = await createGcsBucket(url, 'ui');
    const { cwd, store } = await cloudProject(
      `{ type: gcs, bucket: ${bucket}, apiEndpoint: "${url}", projectId: test, prefix: trove }`,
    );
    await expectServed(cwd, store);
  });

  it('Azure (Azurite): runs, a file with Range, a metric series', async () => {
    const { connectionString } = azurite as AzuriteServer;
    const container = await createContainer(connectionString, 'ui');
    const { cwd, store } = await cloudProject(
      `{ type: azure, container: ${container}, connectionString: "${connectionString}", prefix: trove }`,
    );
    await expectServed(cwd, store);
  });

  it('an unreachable store (S3 on a closed port) is answered with JSON UNAVAILABLE, not a trace', async () => {
    const port = await freePort();
    const { store } = await cloudProject(
      `{ type: s3, bucket: gone, endpoint: "http://127.0.0.1:${port}", forcePathStyle: true }`,
    );
    const ui = await startUi({ store });
    try {
      for (const path of ['/api/info', '/api/runs', '/api/runs/0123456789abcdef']) {
        const answer = await get(ui.url, path);
        expect([path, answer.status, answer.json().error.code]).toEqual([path, 503, 'UNAVAILABLE']);
        expect(answer.body.toString()).not.toMatch(/\n\s+at /);
      }
    } finally {
      await ui.close();
      await store.close();
    }
  });
});
