/**
 * How a Live's run ends. DVCLive's `with Live() as live:` always calls `end()`; the callback form
 * does too, and also records the trove run `failed` when the body throws. A process stopped by a
 * signal records it `killed`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStore } from '@trove/core';
import { distUrl, runExitScript, troveProject } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { Live } from '../src/index.js';
import { memoryStore, tempDir } from './helpers.js';

const LIVE = distUrl(resolve(import.meta.dirname, '../..'), 'live');

describe('Live lifecycle', () => {
  it('Live.create(options, fn): a body that throws still writes the files, records failed, re-throws', async () => {
    const cwd = tempDir('live-life-');
    const store = memoryStore();
    let live: Live | undefined;
    const boom = new Error('boom');
    await expect(
      Live.create({ cwd, store }, async (l) => {
        live = l;
        l.logMetric('loss', 0.5);
        await l.nextStep();
        throw boom;
      }),
    ).rejects.toBe(boom);
    const id = await (live as Live).runId();
    expect(await store.readRun(id)).toMatchObject({ status: 'failed', summary: { loss: 0.5 } });
    expect(JSON.parse(readFileSync(join(cwd, 'dvclive', 'metrics.json'), 'utf8'))).toEqual({
      loss: 0.5,
      step: 0,
    });
  });

  it('Live.create(options, fn) returns the body’s value and records completed', async () => {
    const store = memoryStore();
    let id = '';
    const value = await Live.create({ cwd: tempDir('live-ok-'), store }, async (l) => {
      id = await l.runId();
      return 'done';
    });
    expect(value).toBe('done');
    expect((await store.readRun(id)).status).toBe('completed');
  });

  it('SIGTERM during a Live records its run killed, and the process ends by the signal', async () => {
    const cwd = troveProject('live-sig-');
    const out = await runExitScript(
      cwd,
      `import { Live } from '${LIVE}';
const live = await Live.create();
live.logMetric('loss', 0.25);
await live.nextStep();
console.log('ready ' + (await live.runId()));
setInterval(() => {}, 1000);
`,
      { signal: 'SIGTERM' },
    );
    expect(out.signal).toBe('SIGTERM');
    const store = await openStore({ cwd });
    try {
      expect(await store.readRun(out.id)).toMatchObject({
        status: 'killed',
        summary: { loss: 0.25 },
      });
    } finally {
      await store.close();
    }
  });
});
