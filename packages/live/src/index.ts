/**
 * `@trove/live`: DVCLive for TypeScript. `Live` writes the `dvclive/` tree and dvc.yaml
 * byte for byte as DVCLive 3.x does, and records each session as a trove run.
 *
 * @example
 * import { Live, float } from '@trove/live';
 * await using live = await Live.create();
 * live.logParam('lr', 0.001);
 * for (let epoch = 0; epoch < 3; epoch++) {
 *   live.logMetric('train/loss', float(1 / (epoch + 1)));
 *   await live.nextStep();
 * }
 */
export { PyFloat } from '@trove/core/dialect';
export type { ReportImage, ReportInput, ReportPlot } from '@trove/report';
export type { ImageValue, RgbaPixels } from './image.js';
export { Live } from './live.js';
export type { LiveArtifactOptions } from './live-artifact.js';
export type {
  LiveOptions,
  LogMetricOptions,
  LogPlotOptions,
  LogSklearnPlotOptions,
} from './options.js';
export { SKLEARN_KINDS, type SklearnKind } from './plots.js';
export { float, type MetricValue } from './py-values.js';
export { buildReportInput, type ReportSource } from './report-input.js';
export type { CurveOptions, Label } from './sklearn-curves.js';
