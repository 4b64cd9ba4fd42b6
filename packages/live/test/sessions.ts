/** Call sequences run with real dvclive and with trove's Live (DVCLive's names and kwargs). */
import { seededRandom as rng } from '@trove/test-utils';
import { float } from '../src/index.js';
import type { Op } from './harness.js';

export function pixels(w: number, h: number, shade: number) {
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([shade, (i * 7) % 256, 255 - shade, 255], i * 4);
  return { width: w, height: h, data };
}

export const SESSIONS: Record<string, Op[]> = {
  // dvc-vectors.json dvclive_sessions[0]
  vector0: [
    ['init', {}],
    [
      'log_params',
      { lr: 0.001, epochs: 2, optimizer: { name: 'adam', betas: [0.9, 0.999] }, tag: '123' },
    ],
    ['log_metric', 'train/loss', float(1), {}],
    ['log_metric', 'acc', 0.5, {}],
    ['next_step'],
    ['log_metric', 'train/loss', 0.5, {}],
    ['log_metric', 'acc', 0.75, {}],
    ['next_step'],
    ['log_metric', 'final/score', 7, {}],
    ['end'],
  ],
  values: [
    ['init', { dir: 'logs' }],
    ['log_param', 'name', 'yes'],
    ['log_param', 'none', null],
    ['log_param', 'big', 1e16],
    ['log_param', 'tiny', 1e-5],
    ['log_param', 'flags', [true, false]],
    ['log_param', 'date', '2001-12-14'],
    ['log_metric', 'loss', 0.25, { timestamp: true }],
    ['log_metric', 'a/b/c', 3, {}],
    ['log_metric', 'scalar.foo.bar', float(2), {}],
    ['log_metric', 'nan', float(Number.NaN), {}],
    ['log_metric', 'inf', float(Number.POSITIVE_INFINITY), {}],
    ['log_metric', 'ninf', Number.NEGATIVE_INFINITY, {}],
    ['log_metric', 'hidden', 0.125, { plot: false }],
    ['log_metric', 'flag', true, {}],
    ['log_metric', 'text', 'a\tb "c"', {}],
    ['log_metric', 'neg0', float(-0), {}],
    ['next_step'],
    ['log_metric', 'loss', 1e-5, { timestamp: true }],
    ['log_metric', 'a/b/c', 4, {}],
    ['log_metric', 'a/d', 1e22, {}],
    ['set_step', 10],
    ['log_metric', 'loss', 1e16, { timestamp: true }],
    ['summary_set', 'extra', float(1)],
    ['make_summary'],
    ['end'],
  ],
  afterEnd: [
    ['init', {}],
    ['log_metric', 'm', 1, {}],
    ['next_step'],
    ['end'],
    ['log_metric', 'test/acc', 0.5, {}],
    ['log_param', 'late', true],
    ['end'],
  ],
  noStep: [['init', {}], ['log_metric', 'm', 1, {}], ['end']],
  empty: [['init', {}], ['end']],
  resume: [
    ['init', {}],
    ['log_param', 'p', 1],
    ['log_metric', 'm', float(1), {}],
    ['next_step'],
    ['log_metric', 'm', float(2), {}],
    ['next_step'],
    ['end'],
    ['init', { resume: true }],
    ['log_param', 'q', 0.5],
    ['log_metric', 'm', float(3), {}],
    ['log_metric', 'n', 1, {}],
    ['next_step'],
    ['end'],
    ['init', { resume: true }],
    ['log_metric', 'm', float(4), {}],
    ['end'],
  ],
  resumeAtZero: [
    ['init', {}],
    ['log_metric', 'm', 1, {}],
    ['next_step'],
    ['end'],
    ['init', { resume: true }],
    ['log_metric', 'm', 2, {}],
    ['end'],
  ],
  again: [
    [
      'write_file',
      'dvc.yaml',
      'stages:\n  train:\n    cmd: python train.py\nplots:\n- other.json\n- dvclive/plots/old.json\n',
    ],
    ['init', {}],
    ['log_metric', 'm', 1, {}],
    ['next_step'],
    ['end'],
    ['init', {}],
    ['log_param', 'x', 'y'],
    ['log_plot', 'no-template', [{ a: 1, b: 2 }], { x: 'a', y: 'b', template: null }],
    ['log_plot', 'p.json', [{ a: 1, b: 0.5 }], { x: 'a', y: ['b'], template: '' }],
    ['end'],
  ],
  comments: [
    [
      'write_file',
      'dvc.yaml',
      '# my pipeline\nstages:\n  train:\n    cmd: python train.py # the trainer\n    deps:\n    - train.py\nmetrics:\n- other/metrics.json\n',
    ],
    ['init', {}],
    ['log_param', 'lr', 0.5],
    ['log_metric', 'm', 1, {}],
    ['next_step'],
    ['end'],
  ],
  relpath: [
    ['init', { dir: 'logs', dvcyaml: 'src/dvc.yaml' }],
    ['log_metric', 'm', 0.5, {}],
    [
      'log_plot',
      'curve',
      [
        { x: 1, y: 2 },
        { x: 2, y: float(3) },
      ],
      { x: 'x', y: 'y', title: 't', x_label: 'X', y_label: 'Y', template: 'scatter' },
    ],
    ['next_step'],
    ['end'],
  ],
  noDvcyaml: [['init', { dvcyaml: false }], ['log_metric', 'm', 0.5, {}], ['next_step'], ['end']],
};

export function sklearnSession(): Op[] {
  const r = rng(42);
  const n = 60;
  const labels = Array.from({ length: n }, () => (r() < 0.4 ? 1 : 0));
  const scores = Array.from({ length: n }, () => r());
  const tied = scores.map((s) => Math.round(s * 4) / 4);
  const tiedF = tied.map((s) => float(s));
  const pm = labels.map((l) => (l ? 1 : -1));
  return [
    ['init', {}],
    ...VECTOR1_MATRICES,
    [
      'log_sklearn_plot',
      'confusion_matrix',
      ['cat', 'dog'],
      ['dog', 'dog'],
      { name: 'cm_str', title: 'T' },
    ],
    ['log_sklearn_plot', 'roc', labels, scores, {}],
    ['log_sklearn_plot', 'roc', labels, tiedF, { name: 'roc_tied' }],
    ['log_sklearn_plot', 'roc', labels, scores, { name: 'roc_all', drop_intermediate: false }],
    ['log_sklearn_plot', 'precision_recall', labels, scores, {}],
    [
      'log_sklearn_plot',
      'precision_recall',
      labels,
      tiedF,
      { name: 'pr_tied', drop_intermediate: true },
    ],
    ['log_sklearn_plot', 'det', labels, scores, {}],
    ['log_sklearn_plot', 'det', pm, tiedF, { name: 'det_tied', x_label: 'fp' }],
    ['log_sklearn_plot', 'calibration', labels, scores, {}],
    [
      'log_sklearn_plot',
      'calibration',
      labels,
      tiedF,
      { name: 'cal_q', n_bins: 7, strategy: 'quantile' },
    ],
    ['log_sklearn_plot', 'calibration', labels, scores, { name: 'cal10', n_bins: 10 }],
    [
      'log_plot',
      'pr',
      [
        { x: 1, y: 0.5 },
        { x: 2, y: 0.25 },
      ],
      { x: 'x', y: 'y', title: 't' },
    ],
    ['next_step'],
    ['log_sklearn_plot', 'confusion_matrix', [0, 1], [1, 1], {}],
    ['end'],
  ];
}

/** Many samples, scores with two decimals (many ties), string labels with a positive label. */
export function sklearnBigSession(): Op[] {
  const r = rng(1234);
  const n = 500;
  const labels = Array.from({ length: n }, () => (r() < 0.3 ? 'pos' : 'neg'));
  const scores = labels.map((l) =>
    float(Math.round((l === 'pos' ? 0.3 : 0) * 100 + r() * 70) / 100),
  );
  const kw = { pos_label: 'pos' };
  return [
    ['init', {}],
    ['log_sklearn_plot', 'roc', labels, scores, kw],
    ['log_sklearn_plot', 'precision_recall', labels, scores, kw],
    ['log_sklearn_plot', 'det', labels, scores, kw],
    [
      'log_sklearn_plot',
      'calibration',
      labels,
      scores,
      { ...kw, n_bins: 10, strategy: 'quantile' },
    ],
    ['end'],
  ];
}

export function imageSession(): Op[] {
  return [
    ['init', {}],
    ['log_image', 'img.png', pixels(8, 6, 0)],
    ['log_image', 'steps/0.png', pixels(5, 5, 10)],
    ['next_step'],
    ['log_image', 'img.png', pixels(8, 6, 1)],
    ['log_image', 'steps/1.png', pixels(5, 5, 20)],
    ['next_step'],
    ['end'],
  ];
}

/** The "How it works" example (seeds/001), in a Git + DVC repository. */
export function example001(): Op[] {
  const ops: Op[] = [
    ['init', {}],
    ['log_param', 'epochs', 2],
  ];
  const r = rng(7);
  for (let i = 0; i < 2; i++) {
    ops.push(['log_metric', 'metric', i + r(), {}]);
    ops.push(['log_metric', 'nested/metric', i + r(), {}]);
    ops.push(['log_image', 'img.png', pixels(50, 50, i)]);
    ops.push(['write_file', 'model.pt', String(r())]);
    ops.push(['next_step']);
  }
  ops.push(['log_artifact', 'model.pt', {}]);
  ops.push(['log_sklearn_plot', 'confusion_matrix', [0, 0, 1, 1], [0, 1, 0, 1], {}]);
  ops.push(['summary_set', 'additional_metric', float(1)]);
  ops.push(['end']);
  return ops;
}

/** The two confusion matrices of dvclive_sessions[1]. */
const VECTOR1_MATRICES: Op[] = [
  ['log_sklearn_plot', 'confusion_matrix', [0, 0, 1, 1], [0, 1, 1, 0], {}],
  [
    'log_sklearn_plot',
    'confusion_matrix',
    [0, 0, 1, 1],
    [0, 1, 1, 0],
    { name: 'cm_norm', normalized: true },
  ],
];

/** dvc-vectors.json dvclive_sessions[1], in a Git + DVC repository. */
export function vector1(): Op[] {
  return [
    ['write_file', 'model.pkl', ''],
    ['write_file', 'weights/w.bin', 'w'],
    ['init', {}],
    ...VECTOR1_MATRICES,
    [
      'log_plot',
      'pr',
      [
        { x: 1, y: 0.5 },
        { x: 2, y: 0.25 },
      ],
      { x: 'x', y: 'y', title: 't' },
    ],
    [
      'log_artifact',
      'model.pkl',
      { type: 'model', desc: 'best', labels: ['a'], meta: { k: 1 }, cache: false },
    ],
    ['log_artifact', 'weights', { type: 'model', copy: true }],
    ['log_artifact', 'model.pkl', { name: 'bad.name', type: 'model', cache: false }],
    ['end'],
  ];
}
