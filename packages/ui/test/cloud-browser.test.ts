/**
 * trove ui over the cloud backends, on their emulators (loopback only): moto (S3),
 * fake-gcs-server (GCS) and Azurite (Azure). On each, the demo store is written through trove,
 * then the browser lists its runs, draws a comparison and previews a PNG: the app reads the
 * store through the backend, as it would a real bucket.
 */
import { AzureBackend } from '@trove/backend-azure';
import { GcsBackend } from '@trove/backend-gcs';
import { S3Backend } from '@trove/backend-s3';
import { type StorageBackend, Store } from '@trove/core';
import { freePort, tempDir } from '@trove/test-utils';
import { type AzuriteServer, createContainer, startAzurite } from '@trove/test-utils/azurite';
import { createGcsBucket, type FakeGcs, startFakeGcs } from '@trove/test-utils/gcs';
import { createBucket, type MotoServer, startMoto } from '@trove/test-utils/moto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUi } from '../src/index.js';
import { BUILT_APP, canvasInk, decodedImages, launch, openPage } from './browser.js';
import { writeDemoStore } from './demo-store.js';

let browser: Browser;
let moto: MotoServer | undefined;
let fake: FakeGcs | undefined;
let azurite: AzuriteServer | undefined;

beforeAll(async () => {
  process.env.TROVE_CACHE_DIR ??= tempDir('trove-ui-cache-');
  [moto, fake, azurite, browser] = await Promise.all([
    startMoto(),
    startFakeGcs(),
    startAzurite(),
    launch(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([moto?.stop(), fake?.stop(), azurite?.stop()]);
});

/** Writes the demo store on `backend`, serves it, and walks runs → compare → run in chromium. */
async function browseOn(kind: string, backend: StorageBackend): Promise<void> {
  const store = new Store({ name: kind, meta: backend });
  const runs = await writeDemoStore(store, tempDir());
  const ui = await startUi({ store, port: 0, appDir: BUILT_APP });
  const o = await openPage(browser);
  try {
    await o.page.goto(new URL('/runs', ui.url).href);
    await o.page.waitForFunction(
      () => document.querySelector('.count')?.getAttribute('data-total') === '4',
    );
    expect(await o.page.textContent('header .store')).toContain(`${kind}:`);

    await o.page.goto(new URL(`/compare?runs=${runs.train.join(',')}`, ui.url).href);
    await o.page.waitForSelector('figure.metric-chart[data-metric=loss] .chart[data-state=drawn]');
    expect(await canvasInk(o.page, 'figure.metric-chart[data-metric=loss] canvas')).toBeGreaterThan(
      200,
    );

    await o.page.goto(
      new URL(`/run/${runs.train[1]}?path=assets/image/sample_20.png`, ui.url).href,
    );
    await o.page.waitForSelector('.preview[data-kind=image] img');
    expect(await decodedImages(o.page, '.preview img')).toEqual([{ w: 40, h: 40 }]);
    expect(o.outside).toEqual([]);
    expect(o.errors).toEqual([]);
  } finally {
    await o.context.close();
    await ui.close();
  }
}

describe('trove ui on the cloud emulators', () => {
  it('S3 (moto): runs, compare and a PNG preview', async () => {
    const url = (moto as MotoServer).url;
    const bucket = await createBucket(url, 'ui');
    await browseOn(
      's3',
      new S3Backend({
        bucket,
        endpoint: url,
        forcePathStyle: true,
        clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
      }),
    );
  });

  it('GCS (fake-gcs-server): runs, compare and a PNG preview', async () => {
    const url = (fake as FakeGcs).url;
    const bucket = await createGcsBucket(url, 'ui');
    await browseOn('gcs', new GcsBackend({ bucket, apiEndpoint: url, projectId: 'test' }));
  });

  it('Azure (Azurite): runs, compare and a PNG preview', async () => {
    const { connectionString } = azurite as AzuriteServer;
    const container = await createContainer(connectionString, 'ui');
    await browseOn('azure', new AzureBackend({ container, connectionString }));
  });

  it('an unreachable store (S3 on a closed port) shows the UNAVAILABLE error page, never a trace', async () => {
    const port = await freePort();
    const store = new Store({
      name: 'gone',
      meta: new S3Backend({
        bucket: 'gone',
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        clientConfig: { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } },
      }),
    });
    const ui = await startUi({ store, port: 0, appDir: BUILT_APP });
    const o = await openPage(browser);
    try {
      await o.page.goto(new URL('/runs', ui.url).href);
      const view = await o.page.waitForSelector('.error-view');
      expect(await view.getAttribute('data-code')).toBe('UNAVAILABLE');
      expect(await view.textContent()).toContain('The store cannot be reached');
      expect(await view.textContent()).not.toMatch(/\bat .*\.js:\d+/);
      expect(o.outside).toEqual([]);
      // chromium logs the failed fetches (503) as console errors; nothing else
      expect(o.errors.filter((e) => !/\b503\b/.test(e))).toEqual([]);
    } finally {
      await o.context.close();
      await ui.close();
    }
  });
});
