/**
 * The store the browser tests, the screenshots and the docs show: three training runs logged
 * through DVCLive's API (@trove/live: params, two metrics over 30 steps, an image every 10
 * steps, a confusion matrix), each with a CSV, a JSON config, a notes file, a folder of samples
 * and a model; an evaluation run that used the first run's model (lineage); and a registered
 * model with two versions, an alias and tags. Imports only packages, so scripts run it with Node's
 * type stripping too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRegistry, type Store, startRun } from '@trove/core';
import { Live } from '@trove/live';

export const DEMO = {
  lrs: [0.1, 0.01, 0.001],
  steps: 30,
  imageEvery: 10,
  model: 'classifier',
  samples: ['a.txt', 'b.txt', 'c/d.txt'],
};

export interface DemoRuns {
  train: string[];
  evaluate: string;
}

/** A 40×40 picture that changes with the run and the step (RGBA, encoded by @trove/live). */
function picture(run: number, step: number) {
  const data = new Uint8Array(40 * 40 * 4);
  for (let y = 0; y < 40; y++) {
    for (let x = 0; x < 40; x++) {
      const at = (y * 40 + x) * 4;
      data.set([(80 * run + 4 * x) % 256, (6 * step + 3 * y) % 256, 120 + 40 * run, 255], at);
    }
  }
  return { width: 40, height: 40, data };
}

async function train(store: Store, dir: string, i: number): Promise<string> {
  const cwd = join(dir, `train-${i}`);
  mkdirSync(join(cwd, 'samples/c'), { recursive: true });
  const lr = DEMO.lrs[i] ?? 0.1;
  const live = await Live.create({
    cwd,
    store,
    expName: `train-lr${lr}`,
    report: null,
    saveDvcExp: false,
    onWarning: () => {},
  });
  live.logParams({ lr, optimizer: i === 2 ? 'sgd' : 'adam', epochs: DEMO.steps });
  for (let step = 0; step < DEMO.steps; step++) {
    live.logMetric(
      'loss',
      Number((2 * Math.exp(-lr * 30 * (step + 1) ** 0.5) + 0.01 * i).toFixed(6)),
    );
    live.logMetric('acc', Number((1 - Math.exp(-(step + 1) * (0.05 + lr))).toFixed(6)));
    if (step % DEMO.imageEvery === 0) await live.logImage('sample.png', picture(i, step));
    await live.nextStep();
  }
  live.logSklearnPlot('confusion_matrix', [0, 0, 1, 1, 1, 0], [0, 1, 1, 1, 0, i % 2]);
  const rows = Array.from(
    { length: 5 },
    (_, e) => `${e},${(1 / (e + 1 + i)).toFixed(4)},${e * 10}`,
  );
  writeFileSync(join(cwd, 'metrics.csv'), `epoch,loss,seconds\n${rows.join('\n')}\n`);
  writeFileSync(
    join(cwd, 'config.json'),
    `${JSON.stringify({ model: { depth: 4 + i, width: 128 }, optimizer: { lr } }, null, 2)}\n`,
  );
  writeFileSync(join(cwd, 'notes.txt'), `run ${i}\nlearning rate ${lr}\nsame last line\n`);
  for (const s of DEMO.samples) writeFileSync(join(cwd, 'samples', s), `sample ${s} of run ${i}\n`);
  writeFileSync(join(cwd, 'model.pt'), `weights of run ${i}`);
  for (const path of ['metrics.csv', 'config.json', 'notes.txt', 'samples']) {
    await live.logArtifact(path);
  }
  await live.logArtifact('model.pt', { type: 'model', name: 'classifier' });
  const id = await live.runId();
  await live.end();
  return id;
}

/** Writes the demo runs and registry into `store`, working in `dir` (a temp folder). */
export async function writeDemoStore(store: Store, dir: string): Promise<DemoRuns> {
  const ids: string[] = [];
  for (let i = 0; i < DEMO.lrs.length; i++) ids.push(await train(store, dir, i));
  const first = ids[0] as string;
  const cwd = join(dir, 'evaluate');
  mkdirSync(cwd, { recursive: true });
  const run = await startRun({ store, cwd, name: 'evaluate', params: { split: 'test' } });
  await run.useArtifact(`runs:/${first}/outputs/model.pt`, { to: join(cwd, 'model.pt') });
  run.summary.accuracy = 0.91;
  await run.end();
  const registry = openRegistry(store);
  await registry.registerModel(`runs:/${first}/outputs/model.pt`, DEMO.model, {
    tags: { task: 'demo' },
  });
  await registry.registerModel(`runs:/${ids[1]}/outputs/model.pt`, DEMO.model);
  await registry.setAlias(DEMO.model, 'champion', 2);
  await registry.setModelTag(DEMO.model, 'owner', 'vision');
  return { train: ids, evaluate: run.id };
}
