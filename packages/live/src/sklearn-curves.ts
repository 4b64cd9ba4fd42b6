/**
 * scikit-learn's binary curves (`roc_curve`, `precision_recall_curve`, `det_curve`,
 * `calibration_curve`, 1.7), step for step, so the numbers DVCLive would write come out equal
 * (same float operations in the same order). Inputs are checked first: one `TroveError`.
 */
import { TroveError } from '@trove/core';
import { PyFloat } from '@trove/core/dialect';

export type Label = number | string | boolean | bigint | PyFloat;

export interface CurveOptions {
  /** sklearn `pos_label`; by default 1, with labels in {0, 1} or {-1, 1}. */
  posLabel?: Label;
  /** sklearn `drop_intermediate` (roc: true; precision_recall, det: false). */
  dropIntermediate?: boolean;
  /** calibration: `n_bins` (5) and `strategy` (`uniform` | `quantile`). */
  nBins?: number;
  strategy?: 'uniform' | 'quantile';
}

function labelKey(l: Label): string | number {
  if (l instanceof PyFloat) return l.value;
  if (typeof l === 'boolean') return l ? 1 : 0;
  if (typeof l === 'bigint') return Number(l);
  return l;
}

/** `y_true == pos_label` after sklearn's checks (`type_of_target`, `_check_pos_label_consistency`). */
export function binaryTruth(labels: readonly Label[], posLabel: Label | undefined): boolean[] {
  const keys = labels.map(labelKey);
  const classes = [...new Set(keys)];
  if (posLabel === undefined) {
    const nums = classes.every((c) => typeof c === 'number');
    const set = new Set(classes);
    const ok =
      nums && [...set].every((c) => c === 0 || c === 1 || c === -1) && !(set.has(0) && set.has(-1));
    if (!ok) {
      throw new TroveError(
        'INVALID_ARGUMENT',
        `Labels must be binary ({0, 1} or {-1, 1}); got ${classes.slice(0, 5).map(String).join(', ')}.`,
        { hint: 'Pass posLabel to say which label is the positive class.' },
      );
    }
    return keys.map((k) => k === 1);
  }
  const pos = labelKey(posLabel);
  return keys.map((k) => k === pos);
}

export function checkScores(scores: readonly unknown[], what = 'predictions'): number[] {
  return scores.map((s) => {
    const n = s instanceof PyFloat ? s.value : typeof s === 'boolean' ? Number(s) : s;
    if (typeof n !== 'number' || !Number.isFinite(n)) {
      throw new TroveError('INVALID_ARGUMENT', `${what} must be finite numbers; got ${String(s)}.`);
    }
    return n;
  });
}

/** `_binary_clf_curve`: false/true positive counts at each distinct score, descending. */
function binaryClfCurve(truth: readonly boolean[], scores: readonly number[]) {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => (scores[b] as number) - (scores[a] as number) || b - a);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  for (let k = 0; k < n; k++) {
    const i = idx[k] as number;
    if (truth[i]) tp += 1;
    if (k === n - 1 || scores[idx[k + 1] as number] !== scores[i]) {
      tps.push(tp);
      fps.push(1 + k - tp);
      thresholds.push(scores[i] as number);
    }
  }
  return { fps, tps, thresholds };
}

function pick<T>(arr: readonly T[], keep: readonly number[]): T[] {
  return keep.map((i) => arr[i] as T);
}

/** Indices kept by `drop_intermediate` given per-point "changes here" tests. */
function keepIdx(n: number, corner: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || i === n - 1 || corner(i)) out.push(i);
  return out;
}

export function rocCurve(truth: readonly boolean[], scores: readonly number[], drop = true) {
  let { fps, tps, thresholds } = binaryClfCurve(truth, scores);
  if (drop && fps.length > 2) {
    const f = fps;
    const t = tps;
    const d2 = (a: number[], i: number) =>
      (a[i + 1] as number) - (a[i] as number) - ((a[i] as number) - (a[i - 1] as number));
    const keep = keepIdx(f.length, (i) => d2(f, i) !== 0 || d2(t, i) !== 0);
    fps = pick(f, keep);
    tps = pick(t, keep);
    thresholds = pick(thresholds, keep);
  }
  tps = [0, ...tps];
  fps = [0, ...fps];
  thresholds = [Number.POSITIVE_INFINITY, ...thresholds];
  const lastF = fps[fps.length - 1] as number;
  const lastT = tps[tps.length - 1] as number;
  const fpr = fps.map((x) => (lastF <= 0 ? Number.NaN : x / lastF));
  const tpr = tps.map((x) => (lastT <= 0 ? Number.NaN : x / lastT));
  return { fpr, tpr, thresholds };
}

interface Curve {
  fps: number[];
  tps: number[];
  thresholds: number[];
}

/** `drop_intermediate` of precision_recall and det: keep points where `tps` changes. */
function dropFlatTps(c: Curve, drop: boolean): Curve {
  if (!drop || c.fps.length <= 2) return c;
  const t = c.tps;
  const keep = keepIdx(t.length, (i) => {
    const here = t[i] as number;
    return here - (t[i - 1] as number) !== 0 || (t[i + 1] as number) - here !== 0;
  });
  return { fps: pick(c.fps, keep), tps: pick(t, keep), thresholds: pick(c.thresholds, keep) };
}

export function precisionRecallCurve(
  truth: readonly boolean[],
  scores: readonly number[],
  drop = false,
) {
  const { fps, tps, thresholds } = dropFlatTps(binaryClfCurve(truth, scores), drop);
  const last = tps[tps.length - 1] as number;
  const precision = tps.map((tp, i) => {
    const ps = tp + (fps[i] as number);
    return ps !== 0 ? tp / ps : 0;
  });
  const recall = tps.map((tp) => (last === 0 ? 1 : tp / last));
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: thresholds.reverse(),
  };
}

function searchSorted(arr: readonly number[], v: number, side: 'left' | 'right'): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = arr[mid] as number;
    if (side === 'left' ? x < v : x <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function detCurve(
  truth: readonly boolean[],
  scores: readonly number[],
  classes: number,
  drop = false,
) {
  const curve = binaryClfCurve(truth, scores);
  const { fps, tps, thresholds } = dropFlatTps(
    {
      tps: [0, ...curve.tps],
      fps: [0, ...curve.fps],
      thresholds: [Number.POSITIVE_INFINITY, ...curve.thresholds],
    },
    drop,
  );
  if (classes !== 2) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      'Only one class is present in the labels: a DET curve is not defined in that case.',
    );
  }
  const p = tps[tps.length - 1] as number;
  const nCount = fps[fps.length - 1] as number;
  const fns = tps.map((t) => p - t);
  const r = searchSorted(fps, fps[0] as number, 'right');
  const first = r > 0 ? r - 1 : 0;
  const last = searchSorted(tps, p, 'left') + 1;
  const sl = <T>(a: T[]) => a.slice(first, last).reverse();
  return {
    fpr: sl(fps).map((x) => x / nCount),
    fnr: sl(fns).map((x) => x / p),
    thresholds: sl(thresholds),
  };
}

/** numpy `linspace(start, stop, num)` with its float operations. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  out[num - 1] = stop;
  return out;
}

/** numpy `percentile(a, q)` (method `linear`), including its `_lerp`. */
function percentile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  const quantile = q / 100;
  const virtual = n * quantile + (1 + quantile * -1) - 1;
  let prev = Math.floor(virtual);
  let next = prev + 1;
  if (virtual >= n - 1) {
    prev = n - 1;
    next = n - 1;
  } else if (virtual < 0) {
    prev = 0;
    next = 0;
  }
  const gamma = virtual - Math.floor(virtual);
  const a = sorted[prev] as number;
  const b = sorted[next] as number;
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

export function calibrationCurve(
  truth: readonly boolean[],
  probs: readonly number[],
  classes: number,
  nBins = 5,
  strategy: 'uniform' | 'quantile' = 'uniform',
) {
  if (probs.some((p) => p < 0 || p > 1)) {
    throw new TroveError('INVALID_ARGUMENT', 'Predicted probabilities must lie in [0, 1].');
  }
  if (classes > 2) {
    throw new TroveError('INVALID_ARGUMENT', 'Only binary classification is supported.');
  }
  if (!Number.isSafeInteger(nBins) || nBins < 1) {
    throw new TroveError('INVALID_ARGUMENT', `nBins must be an integer ≥ 1, not ${nBins}.`);
  }
  let bins: number[];
  if (strategy === 'quantile') {
    const sorted = [...probs].sort((x, y) => x - y);
    bins = linspace(0, 1, nBins + 1).map((q) => percentile(sorted, q * 100));
  } else if (strategy === 'uniform') {
    bins = linspace(0, 1, nBins + 1);
  } else {
    throw new TroveError('INVALID_ARGUMENT', `strategy must be 'uniform' or 'quantile'.`);
  }
  const inner = bins.slice(1, -1);
  const sums = new Array<number>(bins.length).fill(0);
  const trues = new Array<number>(bins.length).fill(0);
  const totals = new Array<number>(bins.length).fill(0);
  probs.forEach((p, i) => {
    const b = searchSorted(inner, p, 'left');
    sums[b] = (sums[b] as number) + p;
    trues[b] = (trues[b] as number) + (truth[i] ? 1 : 0);
    totals[b] = (totals[b] as number) + 1;
  });
  const probTrue: number[] = [];
  const probPred: number[] = [];
  totals.forEach((t, b) => {
    if (t !== 0) {
      probTrue.push((trues[b] as number) / t);
      probPred.push((sums[b] as number) / t);
    }
  });
  return { probTrue, probPred };
}
