/**
 * The store the ui tests read, made with trove's own API: three runs with params, tags and
 * metrics of many steps; images at two steps, a CSV, a JSON, a text file, a folder (with a
 * nested file), a DVCLive sklearn plot; one run consuming another's model; a registered model
 * with an alias; a third run still running.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRegistry, type Run, type Store, startRun } from '@trove/core';
import { PNG } from 'pngjs';

export const STEPS = 1500;

export interface Fixture {
  a: string;
  b: string;
  running: string;
  /** The still-running run (the test ends it). */
  runningRun: Run;
  /** md5 of run a's model file. */
  modelMd5: string;
  pngBytes: Buffer;
  csv: string;
  bigText: string;
}

/** A PNG of `size`×`size` pixels, shaded by `shade` (pngjs). */
function png(size: number, shade: number): Buffer {
  const image = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) image.data.set([shade, i % 256, 255 - shade, 255], i * 4);
  return PNG.sync.write(image);
}

export async function writeFixture(cwd: string, store: Store): Promise<Fixture> {
  const file = (path: string, content: string | Buffer) => {
    mkdirSync(join(cwd, path, '..'), { recursive: true });
    writeFileSync(join(cwd, path), content);
  };
  const csv = 'epoch,loss,note\n0,1.5,"a, quoted"\n1,0.75,b\n';
  const bigText = `${'é'.repeat(700_000)}tail`; // 1.4 MB of 2-byte characters: cut mid-character at 1 MiB
  const train = (name: string, lr: number, optimizer: string, team: string) =>
    startRun({ store, cwd, name, params: { lr, depth: 3, optimizer }, tags: { team } });
  const a = await train('train-a', 0.1, 'adam', 'cv');
  for (let s = 0; s < STEPS; s++) {
    a.logMetric('loss', 10 / (s + 1), { step: s });
    a.logMetric('acc', s === 700 ? 0.99 : s / STEPS / 2, { step: s });
  }
  const pngA = png(8, 10);
  for (const step of [0, 1]) {
    file('plots/images/sample.png', step === 0 ? pngA : png(8, 200));
    await a.logArtifact('plots/images/sample.png', { type: 'image', name: 'sample', step });
  }
  file('table.csv', csv);
  await a.logArtifact('table.csv');
  file('config.json', JSON.stringify({ lr: 0.1, layers: [64, 32] }));
  await a.logArtifact('config.json');
  file('diagram.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  await a.logArtifact('diagram.svg');
  file('notes.txt', 'line one\nline two\n');
  await a.logArtifact('notes.txt');
  file('big.txt', bigText);
  await a.logArtifact('big.txt');
  file('data/images/1.png', png(4, 1));
  file('data/images/2.png', png(4, 2));
  file('data/images/sub/3.txt', 'three');
  await a.logArtifact('data/images');
  file(
    'dvclive/plots/sklearn/confusion_matrix.json',
    JSON.stringify([
      { actual: '0', predicted: '0' },
      { actual: '0', predicted: '1' },
      { actual: '1', predicted: '1' },
    ]),
  );
  await a.logArtifact('dvclive/plots/sklearn/confusion_matrix.json', {
    type: 'plot',
    meta: { plot: { template: 'confusion', x: 'actual', y: 'predicted', title: 'Confusion' } },
  });
  file('model.pt', 'weights of a');
  const model = await a.logArtifact('model.pt', { name: 'model', type: 'model' });
  await a.end();

  const b = await train('train-b', 0.01, 'sgd', 'nlp');
  await b.useArtifact(`runs:/${a.id}/${model.path}`, { to: 'in/model.pt' });
  for (let s = 0; s < 10; s++) b.logMetric('loss', 5 - s / 10, { step: s });
  file('plots/images/sample.png', png(8, 90));
  await b.logArtifact('plots/images/sample.png', { type: 'image', name: 'sample', step: 0 });
  file('config.json', JSON.stringify({ lr: 0.01, layers: [64, 32] }));
  await b.logArtifact('config.json');
  await b.end();

  const registry = openRegistry(store);
  await registry.registerModel(`runs:/${a.id}/${model.path}`, 'classifier', {
    tags: { task: 'demo' },
  });
  await registry.setAlias('classifier', 'champion', 1);

  const running = await startRun({ store, cwd, name: 'still-running', params: { lr: 0.5 } });
  for (let s = 0; s < 5; s++) running.logMetric('loss', s, { step: s });
  await running.flush();
  return {
    a: a.id,
    b: b.id,
    running: running.id,
    runningRun: running,
    modelMd5: model.md5,
    pngBytes: pngA,
    csv,
    bigText,
  };
}
