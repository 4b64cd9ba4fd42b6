import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { isTroveError } from '../src/errors.js';
import { startRun } from '../src/run/start-run.js';
import { memoryStore, storeKeys } from './helpers.js';

describe('input checked on the call', () => {
  it('logMetric refuses names that cannot name an events file, at the call', async () => {
    const store = memoryStore();
    const run = await startRun({ cwd: tempDir(), store });
    for (const name of ['../../x', '/abs', 'a//b', '', 'n'.repeat(300)]) {
      let caught: unknown;
      try {
        run.logMetric(name, 1);
      } catch (err) {
        caught = err;
      }
      expect(isTroveError(caught, 'INVALID_NAME'), JSON.stringify(name)).toBe(true);
    }
    run.logMetric('train/loss', 0.5);
    await run.end();
    expect((await store.readRun(run.id)).status).toBe('completed');
    expect(await store.readText(store.runKey(run.id, 'events/metric/train/loss.plx'))).toMatch(
      /^step\|timestamp\|metric\n0\|[^|]+\|0\.5$/,
    );
  });

  it('a file that changes while it is logged is refused, and no record points at it', async () => {
    const cwd = tempDir();
    const store = memoryStore();
    const path = join(cwd, 'growing.log');
    writeFileSync(path, Buffer.alloc(80 << 20, 1));
    const run = await startRun({ cwd, store });
    let appended = false;
    const err = await run
      .logArtifact('growing.log', {
        cache: false,
        onProgress: () => {
          if (!appended) appendFileSync(path, 'more');
          appended = true;
        },
      })
      .catch((e: unknown) => e);
    expect(appended).toBe(true);
    expect(isTroveError(err, 'INVALID_ARTIFACT')).toBe(true);
    await run.end();
    expect(await store.readArtifacts(run.id)).toEqual({});
    expect((await storeKeys(store)).filter((k) => k.startsWith('files/'))).toEqual([]);
  });
});
