/**
 * How a Polyaxon run ends: the client's hooks mark it succeeded at exit (atexit) and failed on an
 * uncaught exception (sys.excepthook); a signal stops it. run.plx.json and the trove run agree.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStore } from '@trove/core';
import { distUrl, runExitScript, troveProject } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import * as tracking from '../src/index.js';
import { memoryStore, tempDir } from './helpers.js';

const POLYAXON = distUrl(resolve(import.meta.dirname, '../..'), 'polyaxon');

const project = () => troveProject('plx-life-');

/**
 * A script with a current run whose folder is `folder`: `log` is logged before it says it is
 * ready, `then` comes after.
 */
function script(folder: string, log: string, then = ''): string {
  return `import * as tracking from '${POLYAXON}';
const run = await tracking.init({ artifactsPath: ${JSON.stringify(folder)}, trackCode: false });
${log}
console.log('ready ' + run.id);
${then}
`;
}

function clientStatus(folder: string): string {
  return (JSON.parse(readFileSync(join(folder, 'run.plx.json'), 'utf8')) as { status: string })
    .status;
}

async function troveStatus(cwd: string, id: string): Promise<string> {
  const store = await openStore({ cwd });
  try {
    return (await store.readRun(id)).status;
  } finally {
    await store.close();
  }
}

describe('Polyaxon run lifecycle', () => {
  it('init(options, fn): a body that throws records failed, re-throws, and leaves no current run', async () => {
    const store = memoryStore();
    const cwd = project();
    const folder = join(cwd, 'plx');
    let id = '';
    const boom = new Error('boom');
    await expect(
      tracking.init({ store, cwd, artifactsPath: folder, trackCode: false }, async (run) => {
        id = run.id;
        tracking.logMetric('loss', 0.5, { step: 1 });
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(tracking.getRun()).toBeUndefined();
    expect(clientStatus(folder)).toBe('failed');
    expect((await store.readRun(id)).status).toBe('failed');
  });

  it('init(options, fn) returns the body’s value and records succeeded', async () => {
    const store = memoryStore();
    const folder = join(tempDir('plx-ok-'), 'plx');
    const value = await tracking.init(
      { store, cwd: project(), artifactsPath: folder, trackCode: false },
      async () => 42,
    );
    expect(value).toBe(42);
    expect(tracking.getRun()).toBeUndefined();
    expect(clientStatus(folder)).toBe('succeeded');
  });

  it('await using ends the run and clears the current one, even when the block throws', async () => {
    const store = memoryStore();
    const folder = join(tempDir('plx-using-'), 'plx');
    await expect(
      (async () => {
        await using run = await tracking.init({
          store,
          cwd: project(),
          artifactsPath: folder,
          trackCode: false,
        });
        expect(tracking.getRun()).toBe(run);
        throw new Error('inside');
      })(),
    ).rejects.toThrow('inside');
    expect(tracking.getRun()).toBeUndefined();
    // A disposer is not told of the error.
    expect(clientStatus(folder)).toBe('succeeded');
  });

  it('SIGTERM during a run records it stopped (killed in trove) and the process ends by the signal', async () => {
    const cwd = project();
    const folder = join(cwd, 'plx-out');
    const out = await runExitScript(
      cwd,
      script(
        folder,
        "tracking.logMetric('loss', 0.5, { step: 1 });",
        'setInterval(() => {}, 1000);',
      ),
      { signal: 'SIGTERM' },
    );
    expect(out.signal).toBe('SIGTERM');
    expect(clientStatus(folder)).toBe('stopped');
    expect(await troveStatus(cwd, out.id)).toBe('killed');
    expect(readFileSync(join(folder, 'events', 'metric', 'loss.plx'), 'utf8')).toMatch(
      /^step\|timestamp\|metric\n1\|/,
    );
  });

  it('an uncaught exception records failed (sys.excepthook); a script that just ends, succeeded (atexit)', async () => {
    const cwd = project();
    const failedFolder = join(cwd, 'plx-failed');
    const failed = await runExitScript(
      cwd,
      script(failedFolder, '', "setTimeout(() => { throw new Error('exploded'); }, 1);"),
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('exploded');
    expect(clientStatus(failedFolder)).toBe('failed');
    expect(await troveStatus(cwd, failed.id)).toBe('failed');
    const okFolder = join(cwd, 'plx-ok');
    const ok = await runExitScript(cwd, script(okFolder, ''));
    expect(ok.code).toBe(0);
    expect(clientStatus(okFolder)).toBe('succeeded');
    expect(await troveStatus(cwd, ok.id)).toBe('completed');
  });
});
