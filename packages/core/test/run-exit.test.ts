import { resolve } from 'node:path';
import { distUrl, runExitScript, storeKeys, troveProject } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/record/open-store.js';
import { startRun, withRun } from '../src/run/start-run.js';
import { memoryStore } from './helpers.js';

const CORE = distUrl(resolve(import.meta.dirname, '../..'), 'core');

const project = () => troveProject('run-exit-');

/** A script whose run stays open: `then` is what the process does next. */
function script(then: string): string {
  return `import { startRun } from '${CORE}';
const run = await startRun({ name: 'open' });
run.logMetric('loss', 0.5);
await run.flush();
console.log('ready ' + run.id);
${then}
`;
}

async function recorded(cwd: string, id: string) {
  const store = await openStore({ cwd });
  try {
    return await store.readRun(id);
  } finally {
    await store.close();
  }
}

describe('a process that leaves with a run open', () => {
  it('SIGTERM records the run killed and the process still ends by the signal', async () => {
    const cwd = project();
    const out = await runExitScript(cwd, script('setInterval(() => {}, 1000);'), {
      signal: 'SIGTERM',
    });
    expect(out.signal).toBe('SIGTERM');
    const record = await recorded(cwd, out.id);
    expect(record.status).toBe('killed');
    expect(record.summary).toMatchObject({ loss: 0.5 });
    expect(typeof record.endTime).toBe('string');
  });

  it('SIGINT records the run killed and the process ends by SIGINT', async () => {
    const cwd = project();
    const out = await runExitScript(cwd, script('setInterval(() => {}, 1000);'), {
      signal: 'SIGINT',
    });
    expect(out.signal).toBe('SIGINT');
    expect((await recorded(cwd, out.id)).status).toBe('killed');
  });

  it('an uncaught exception records it failed; Node still prints the error and exits 1', async () => {
    const cwd = project();
    const out = await runExitScript(
      cwd,
      script("setTimeout(() => { throw new Error('boom in training'); }, 1);"),
    );
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('Error: boom in training');
    expect((await recorded(cwd, out.id)).status).toBe('failed');
  });

  it('an unhandled rejection records it failed and exits 1', async () => {
    const cwd = project();
    const out = await runExitScript(cwd, script("Promise.reject(new Error('lost promise'));"));
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('lost promise');
    expect((await recorded(cwd, out.id)).status).toBe('failed');
  });

  it('the event loop running dry ends it completed (as MLflow ends its run at exit)', async () => {
    const cwd = project();
    const out = await runExitScript(cwd, script(''));
    expect(out.code).toBe(0);
    expect((await recorded(cwd, out.id)).status).toBe('completed');
  });

  it('a program that handles SIGTERM itself keeps the process: the run is killed, the program decides', async () => {
    const cwd = project();
    const out = await runExitScript(
      cwd,
      script(`const keep = setInterval(() => {}, 1000);
process.on('SIGTERM', () => { setTimeout(() => { clearInterval(keep); console.log('own handler'); }, 50); });`),
      { signal: 'SIGTERM' },
    );
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('own handler');
    expect((await recorded(cwd, out.id)).status).toBe('killed');
  });

  it('a run ended in the program leaves no listener on the process', async () => {
    const before = process.listenerCount('SIGTERM');
    const run = await startRun({ cwd: project(), store: memoryStore() });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await run.end();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(process.listenerCount('beforeExit')).toBe(0);
  });
});

describe('withRun and await using', () => {
  it('withRun records failed when the body throws, and throws the same error', async () => {
    const store = memoryStore();
    const cwd = project();
    let id = '';
    const boom = new Error('body failed');
    await expect(
      withRun({ cwd, store }, async (run) => {
        id = run.id;
        run.logMetric('loss', 1);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect((await store.readRun(id)).status).toBe('failed');
  });

  it('withRun without a function is refused before a run starts (the dialects share the check)', async () => {
    const store = memoryStore();
    await expect(withRun({ cwd: project(), store }, 'train' as never)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(await storeKeys(store)).toEqual([]);
  });

  it('await using ends the run completed even when the block throws (a disposer cannot see the error)', async () => {
    const store = memoryStore();
    const cwd = project();
    let id = '';
    await expect(
      (async () => {
        await using run = await startRun({ cwd, store });
        id = run.id;
        throw new Error('inside');
      })(),
    ).rejects.toThrow('inside');
    expect((await store.readRun(id)).status).toBe('completed');
  });
});
