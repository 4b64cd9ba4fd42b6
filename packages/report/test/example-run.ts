/**
 * Test data made with trove's public API: a real PNG encoder (zlib + CRC, no library), and the
 * "How it works" example of DVCLive's docs (an epoch loop logging a param, two metrics and an
 * image, then a model and a confusion matrix) recorded as a trove run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { createLocalBackend } from '@trove/backend-local';
import { Store, startRun } from '@trove/core';

/** An RGB PNG filled with `pixel(x, y)`. */
export function png(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
): Uint8Array {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 3);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export function localStore(root: string): Store {
  return new Store({ name: 'test', meta: createLocalBackend({ root }) });
}

export const EXAMPLE = {
  epochs: 2,
  metric: [0.25, 1.5],
  nested: [0.75, 1.125],
  confusion: { actual: [0, 0, 1, 1], predicted: [0, 1, 0, 1] },
};

/**
 * DVCLive's example (`seeds/001`) with trove: the same calls, fixed numbers instead of
 * `random()`, and an image that is not all black so a screenshot can tell it was drawn.
 */
export async function exampleRun(cwd: string, store: Store): Promise<string> {
  const run = await startRun({ cwd, store, name: 'how-it-works' });
  run.logParam('epochs', EXAMPLE.epochs);
  const images = join(cwd, 'dvclive/plots/images');
  mkdirSync(images, { recursive: true });
  for (let i = 0; i < EXAMPLE.epochs; i++) {
    run.logMetric('metric', EXAMPLE.metric[i] ?? 0);
    run.logMetric('nested/metric', EXAMPLE.nested[i] ?? 0);
    const shade = 60 + 120 * i;
    writeFileSync(
      join(images, 'img.png'),
      png(50, 50, (x, y) => [shade, (x * 5) % 256, (y * 5) % 256]),
    );
    await run.logArtifact('dvclive/plots/images/img.png', { type: 'image', step: run.step });
    writeFileSync(join(cwd, 'model.pt'), `weights ${i}`);
    await run.nextStep();
  }
  await run.logArtifact('model.pt');
  const sklearn = join(cwd, 'dvclive/plots/sklearn');
  mkdirSync(sklearn, { recursive: true });
  const { actual, predicted } = EXAMPLE.confusion;
  const rows = actual.map((a, i) => ({ actual: String(a), predicted: String(predicted[i]) }));
  writeFileSync(join(sklearn, 'confusion_matrix.json'), JSON.stringify(rows, null, 4));
  await run.logArtifact('dvclive/plots/sklearn/confusion_matrix.json', {
    type: 'plot',
    meta: {
      plot: {
        template: 'confusion',
        x: 'actual',
        y: 'predicted',
        title: 'Confusion Matrix',
        x_label: 'True Label',
        y_label: 'Predicted Label',
      },
    },
  });
  run.summary.additional_metric = 1.0;
  await run.end();
  return run.id;
}
