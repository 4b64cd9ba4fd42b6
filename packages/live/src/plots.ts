/**
 * Custom and sklearn plots: DVCLive's `CustomPlot` config (`template, x, y, title, x_label,
 * y_label`, None dropped) and the JSON bodies of the five sklearn kinds (`plots/sklearn.py`).
 */

import { TroveError } from '@trove/core';
import { dumpJsonDvclive, PyFloat, validateArtifactName } from '@trove/core/dialect';
import { isMetricValue, pyStr } from './py-values.js';
import {
  binaryTruth,
  type CurveOptions,
  calibrationCurve,
  checkScores,
  detCurve,
  type Label,
  precisionRecallCurve,
  rocCurve,
} from './sklearn-curves.js';

export const SKLEARN_KINDS = [
  'calibration',
  'confusion_matrix',
  'det',
  'precision_recall',
  'roc',
] as const;
export type SklearnKind = (typeof SKLEARN_KINDS)[number];

export interface PlotLabels {
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

/** `CustomPlot.__init__`: the dvc.yaml config of a plot. */
export function plotConfig(
  o: { template?: string | null; x: string; y: string | string[] } & PlotLabels,
): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (o.template) config.template = o.template;
  config.x = o.x;
  config.y = Array.isArray(o.y) ? [...o.y] : o.y;
  if (o.title !== undefined) config.title = o.title;
  if (o.xLabel !== undefined) config.x_label = o.xLabel;
  if (o.yLabel !== undefined) config.y_label = o.yLabel;
  return config;
}

const DEFAULTS: Record<
  SklearnKind,
  { template: string; x: string; y: string; title: string; xLabel: string; yLabel: string }
> = {
  roc: {
    template: 'simple',
    x: 'fpr',
    y: 'tpr',
    title: 'Receiver operating characteristic (ROC)',
    xLabel: 'False Positive Rate',
    yLabel: 'True Positive Rate',
  },
  precision_recall: {
    template: 'simple',
    x: 'recall',
    y: 'precision',
    title: 'Precision-Recall Curve',
    xLabel: 'Recall',
    yLabel: 'Precision',
  },
  det: {
    template: 'simple',
    x: 'fpr',
    y: 'fnr',
    title: 'Detection error tradeoff (DET)',
    xLabel: 'False Positive Rate',
    yLabel: 'False Negative Rate',
  },
  confusion_matrix: {
    template: 'confusion',
    x: 'actual',
    y: 'predicted',
    title: 'Confusion Matrix',
    xLabel: 'True Label',
    yLabel: 'Predicted Label',
  },
  calibration: {
    template: 'simple',
    x: 'prob_pred',
    y: 'prob_true',
    title: 'Calibration Curve',
    xLabel: 'Mean Predicted Probability',
    yLabel: 'Fraction of Positives',
  },
};

export function checkSklearnKind(kind: unknown): SklearnKind {
  if (!SKLEARN_KINDS.includes(kind as SklearnKind)) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Plot type ${JSON.stringify(kind)} is not supported.`,
      {
        hint: `Supported types are: ${SKLEARN_KINDS.join(', ')}.`,
      },
    );
  }
  return kind as SklearnKind;
}

export function sklearnConfig(
  kind: SklearnKind,
  o: PlotLabels & { normalized?: boolean },
): Record<string, unknown> {
  const d = DEFAULTS[kind];
  const template =
    kind === 'confusion_matrix' && o.normalized ? 'confusion_normalized' : d.template;
  return plotConfig({
    template,
    x: d.x,
    y: d.y,
    title: o.title ?? d.title,
    xLabel: o.xLabel ?? d.xLabel,
    yLabel: o.yLabel ?? d.yLabel,
  });
}

const f = (x: number) => new PyFloat(x);

/** The JSON body DVCLive writes for a sklearn plot (numbers as scikit-learn computes them). */
export function sklearnBody(
  kind: SklearnKind,
  labels: readonly Label[],
  predictions: readonly unknown[],
  options: CurveOptions = {},
): unknown {
  if (!Array.isArray(labels) || !Array.isArray(predictions)) {
    throw new TroveError('INVALID_ARGUMENT', 'labels and predictions must be arrays.');
  }
  if (labels.length !== predictions.length) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `labels and predictions differ in length (${labels.length} vs ${predictions.length}).`,
    );
  }
  if (kind === 'confusion_matrix') {
    const str = (v: unknown): string => {
      if (isMetricValue(v)) return pyStr(v);
      throw new TroveError('INVALID_ARGUMENT', `Unsupported label ${String(v)}.`);
    };
    return labels.map((a, i) => ({ actual: str(a), predicted: str(predictions[i]) }));
  }
  if (labels.length === 0) throw new TroveError('INVALID_ARGUMENT', 'labels are empty.');
  const truth = binaryTruth(labels, options.posLabel);
  const scores = checkScores(predictions);
  const classes = new Set(labels.map((l) => (l instanceof PyFloat ? l.value : l))).size;
  switch (kind) {
    case 'roc': {
      const c = rocCurve(truth, scores, options.dropIntermediate ?? true);
      return { roc: rows({ fpr: c.fpr, tpr: c.tpr, threshold: c.thresholds }) };
    }
    case 'precision_recall': {
      const c = precisionRecallCurve(truth, scores, options.dropIntermediate ?? false);
      // DVCLive zips with the thresholds: the last (precision 1, recall 0) point is dropped.
      const { precision, recall, thresholds: threshold } = c;
      return { precision_recall: rows({ precision, recall, threshold }, threshold.length) };
    }
    case 'det': {
      const c = detCurve(truth, scores, classes, options.dropIntermediate ?? false);
      return { det: rows({ fpr: c.fpr, fnr: c.fnr, threshold: c.thresholds }) };
    }
    case 'calibration': {
      const c = calibrationCurve(truth, scores, classes, options.nBins, options.strategy);
      return { calibration: rows({ prob_true: c.probTrue, prob_pred: c.probPred }) };
    }
  }
}

/** Columns to rows of Python floats, in the columns' key order (DVCLive's dict order). */
function rows(
  columns: Record<string, readonly number[]>,
  length = Object.values(columns)[0]?.length ?? 0,
): Array<Record<string, PyFloat>> {
  const keys = Object.keys(columns);
  return Array.from({ length }, (_, i) =>
    Object.fromEntries(keys.map((k) => [k, f(columns[k]?.[i] as number)])),
  );
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isY(y: unknown): boolean {
  return typeof y === 'string' || (Array.isArray(y) && y.every((v) => typeof v === 'string'));
}

export function jsonText(value: unknown, name: string): string {
  try {
    return dumpJsonDvclive(value);
  } catch (err) {
    throw new TroveError('INVALID_ARGUMENT', `Data '${name}' cannot be written as JSON.`, {
      cause: err,
    });
  }
}

/** A run artifact name from a DVCLive file name (`my.plot` → `my-plot`). */
/** DVC's artifact-name rule, as a test. */
export function isArtifactName(name: string): boolean {
  try {
    validateArtifactName(name);
    return true;
  } catch {
    return false;
  }
}

export function cleanName(stem: string): string {
  if (isArtifactName(stem)) return stem;
  const cleaned = stem
    .replace(/[^a-zA-Z0-9\-_/]+/g, '-')
    .replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, '');
  return isArtifactName(cleaned) ? cleaned : 'item';
}
