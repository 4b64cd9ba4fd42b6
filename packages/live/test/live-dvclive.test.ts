/**
 * Byte-identical to real DVCLive: each call sequence runs with dvclive 3.49 (Python, in the
 * test venv) and with trove's Live; the trees (dvclive/, dvc.yaml, .dvc, .gitignore, custom and
 * sklearn JSON) must be equal, timestamps normalised, images compared by decoded pixels.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initDvcRepo, type Op, runPython, runTs, type Session, snapshot } from './harness.js';
import { tempDir, vectors } from './helpers.js';
import {
  example001,
  imageSession,
  pixels,
  SESSIONS,
  sklearnBigSession,
  sklearnSession,
  vector1,
} from './sessions.js';
import { ensureVenv } from './venv.js';

interface Case {
  ops: Op[];
  dvc?: boolean;
  mask?: (text: string) => string;
  /** Files both sides start with. */
  setup?: (dir: string) => void;
}

const ALL: Record<string, Case> = {
  ...Object.fromEntries(Object.entries(SESSIONS).map(([k, ops]) => [k, { ops }])),
  sklearn: { ops: sklearnSession() },
  sklearnBig: { ops: sklearnBigSession() },
  images: { ops: imageSession() },
  example001: { ops: example001(), dvc: true },
  vector1: { ops: vector1(), dvc: true },
  // An image file given by path (its suffix added to a bare name); compared by pixels.
  imagePath: {
    ops: [
      ['init', {}],
      ['log_image', 'from_path', 'in.png'],
      ['log_image', 'sub/copy.png', 'in.png'],
      ['end'],
    ],
    setup: (dir) => {
      const png = new PNG({ width: 7, height: 3 });
      png.data = Buffer.from(pixels(7, 3, 99).data);
      writeFileSync(join(dir, 'in.png'), PNG.sync.write(png));
    },
  },
  // Image bytes differ (Pillow vs pngjs, same pixels), so the images folder's md5 does too.
  cacheImages: {
    ops: [['init', { cache_images: true }], ...imageSession().slice(1)],
    dvc: true,
    mask: (t) =>
      t.replace(/md5: [0-9a-f]{32}\.dir\n {2}size: \d+/, 'md5: <md5>.dir\n  size: <size>'),
  },
};

const root = tempDir('trove-live-');
const dirs = (side: 'py' | 'ts', name: string) => join(root, side, name);

beforeAll(async () => {
  await ensureVenv();
  const sessions: Session[] = [];
  for (const [name, { ops, dvc, setup }] of Object.entries(ALL)) {
    for (const side of ['py', 'ts'] as const) {
      mkdirSync(dirs(side, name), { recursive: true });
      if (dvc) initDvcRepo(dirs(side, name));
      setup?.(dirs(side, name));
    }
    sessions.push({ cwd: dirs('py', name), ops });
  }
  runPython(sessions);
}, 900_000);

describe('Live writes what DVCLive writes', () => {
  for (const [name, { ops, mask = (t) => t }] of Object.entries(ALL)) {
    it(name, async () => {
      await runTs({ cwd: dirs('ts', name), ops });
      const masked = (side: 'py' | 'ts') =>
        Object.fromEntries(
          Object.entries(snapshot(dirs(side, name))).map(([k, v]) => [k, mask(v)]),
        );
      const py = masked('py');
      const ts = masked('ts');
      expect(Object.keys(ts)).toEqual(Object.keys(py));
      expect(ts).toEqual(py);
    });
  }

  it('compared trees that hold what each session logs', () => {
    expect(Object.keys(snapshot(dirs('py', 'example001')))).toEqual([
      '.gitignore',
      'dvc.yaml',
      'dvclive/metrics.json',
      'dvclive/params.yaml',
      'dvclive/plots/images/img.png',
      'dvclive/plots/metrics/metric.tsv',
      'dvclive/plots/metrics/nested/metric.tsv',
      'dvclive/plots/sklearn/confusion_matrix.json',
      'model.pt',
      'model.pt.dvc',
    ]);
    const sk = snapshot(dirs('py', 'sklearn'));
    expect(Object.keys(sk).filter((f) => f.includes('/sklearn/'))).toHaveLength(13);
    expect(sk['dvclive/plots/sklearn/roc.json']).toMatch(
      /^\{\n {4}"roc": \[\n {8}\{\n {12}"fpr": 0\.0,/,
    );
    expect(sk['dvclive/plots/sklearn/roc.json']).toContain('"threshold": Infinity');
    const values = snapshot(dirs('py', 'values'));
    expect(values['logs/plots/metrics/loss.tsv']).toBe(
      'timestamp\tstep\tloss\nT\t0\t0.25\nT\t1\t1e-05\nT\t10\t1e+16\n',
    );
    expect(snapshot(dirs('py', 'images'))['dvclive/plots/images/steps/1.png']).toMatch(/^png 5x5 /);
  });

  it('matches the dvclive_sessions vectors', () => {
    const [v0, v1] = vectors.dvclive_sessions as Array<{ files: Record<string, string> }>;
    expect(snapshot(dirs('ts', 'vector0'))).toEqual(v0?.files);
    const ts1 = snapshot(dirs('ts', 'vector1'));
    for (const [file, text] of Object.entries(v1?.files ?? {})) {
      if (file !== 'dvc.yaml') expect(ts1[file]).toBe(text);
    }
    // The session adds one artifact with an invalid name (skipped) and caches `weights`.
    expect(ts1['dvc.yaml']).toBe(v1?.files['dvc.yaml']);
  });
});
